import type { AgreementVersion } from './agreement';
import { agreementFixture, requestFixture } from './agreement.fixture';
import type { Decision } from './decision';
import { decideContribution } from './engine';

const codes = (d: Decision) => d.reasons.map((r) => r.code);
const representative = { sub: 'rep-1', roles: ['agency-representative'] };

function withHousehold(adultCategories: string[]): AgreementVersion {
  const base = agreementFixture();
  return agreementFixture({
    purposes: {
      ...base.purposes,
      'mash-triage': {
        ...base.purposes['mash-triage']!,
        household: {
          relationships: ['partner-of-parent', 'sibling'],
          adultCategories,
          consentScope: 'per-person',
        },
      },
    },
  });
}

describe(decideContribution.name, () => {
  it("permits a representative to contribute their own agency's information under the agreement in force", () => {
    const sut = decideContribution({
      request: requestFixture({ user: representative }),
      agreements: [agreementFixture()],
      representativeOf: 'police',
    });
    expect(sut.decision).toBe('permit');
    expect(sut.legalGateways.map((g) => g.code)).toEqual(['uk-gdpr-art-6-1-e', 'cda-1998-s115']);
  });

  it('refuses a representative of another agency, and anyone who is not a representative', () => {
    expect(
      codes(
        decideContribution({
          request: requestFixture({ user: representative }),
          agreements: [agreementFixture()],
          representativeOf: 'health',
        }),
      ),
    ).toEqual(['POLICY.ROLE_NOT_PERMITTED']);
    expect(
      codes(
        decideContribution({
          request: requestFixture(),
          agreements: [agreementFixture()],
          representativeOf: 'police',
        }),
      ),
    ).toEqual(['POLICY.ROLE_NOT_PERMITTED']);
  });

  it('refuses when no agreement is in force or it does not cover the purpose', () => {
    expect(
      decideContribution({
        request: requestFixture({ user: representative }),
        agreements: [agreementFixture({ status: 'suspended' })],
        representativeOf: 'police',
      }).decision,
    ).toBe('deny');
    expect(
      codes(
        decideContribution({
          request: requestFixture({ user: representative, purpose: 'strategy-discussion' }),
          agreements: [agreementFixture()],
          representativeOf: 'police',
        }),
      ),
    ).toEqual(['POLICY.PURPOSE_NOT_COVERED']);
  });

  it('follows the household rule: relationships covered, and nothing about an adult the agreement shares nothing about', () => {
    const member = { relationship: 'partner-of-parent' as const, adult: true };
    expect(
      decideContribution({
        request: requestFixture({ user: representative, member }),
        agreements: [withHousehold(['occurrences'])],
        representativeOf: 'police',
      }).decision,
    ).toBe('permit');
    expect(
      decideContribution({
        request: requestFixture({ user: representative, member }),
        agreements: [withHousehold([])],
        representativeOf: 'police',
      }).decision,
    ).toBe('deny');
    expect(
      codes(
        decideContribution({
          request: requestFixture({
            user: representative,
            member: { relationship: 'other-adult', adult: true },
          }),
          agreements: [withHousehold(['occurrences'])],
          representativeOf: 'police',
        }),
      ),
    ).toEqual(['POLICY.RELATIONSHIP_NOT_COVERED']);
  });

  it("respects the person's refused consent as a query would", () => {
    const sut = decideContribution({
      request: requestFixture({ user: representative }, { consent: { status: 'refused' } }),
      agreements: [agreementFixture()],
      representativeOf: 'police',
    });
    expect(sut.decision).toBe('deny');
    expect(codes(sut)).toContain('POLICY.CONSENT_REFUSED');
  });
});
