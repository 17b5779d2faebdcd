import { agreementFixture, requestFixture } from './agreement.fixture';
import { decide } from './engine';
import { explain, humaniseName } from './explain';

describe(explain.name, () => {
  const agreements = [agreementFixture()];

  it('says what would be shared, under which gateways, and why', () => {
    const sut = explain(
      decide({ request: requestFixture({}, { level: 2, rag: 'green' }), agreements }),
    );
    expect(sut).toMatch(
      /^Police would share occurrences \(occurred on, type, role; location as partial postcode\) for MASH triage under UK GDPR Art 6\(1\)\(e\) and Crime and Disorder Act 1998 s115, because /,
    );
    expect(sut).toContain('consent to share was given');
    expect(sut).toContain('Warnings are not shared');
    expect(sut).toContain('90 days');
  });

  it('says the analyst must justify the query when sharing without consent', () => {
    const request = requestFixture(
      {},
      { consent: { status: 'not-sought', reason: 'cannot-reasonably-be-obtained' } },
    );
    expect(explain(decide({ request, agreements }))).toMatch(
      /consent was not sought because consent cannot reasonably be obtained.*must record a justification/,
    );
  });

  it('says an agency would share nothing, and why, when denied', () => {
    const sut = explain(decide({ request: requestFixture({ agency: 'health' }), agreements }));
    expect(sut).toBe(
      'Health would share nothing for MASH triage because there is no active data-sharing agreement with Health in this partnership.',
    );
  });

  it('gives every blocking reason but not the informational ones', () => {
    const sut = explain(
      decide({ request: requestFixture({}, { level: 1, rag: 'green' }), agreements }),
    );
    expect(sut).toMatch(
      /^Police would share nothing for MASH triage because occurrences are not shared.* and warnings are not shared/,
    );
    expect(sut).not.toContain('consent to share was given');
  });
});

describe(humaniseName.name, () => {
  it.each([
    ['occurredOn', 'occurred on'],
    ['cinPlanStart', 'cin plan start'],
    ['urn', 'urn'],
    ['social-care', 'social care'],
  ])('%s reads as "%s"', (name, expected) => {
    expect(humaniseName(name)).toBe(expected);
  });
});
