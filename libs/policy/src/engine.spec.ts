import type { AgreementVersion } from './agreement';
import { agreementFixture, requestFixture } from './agreement.fixture';
import type { Decision, DecisionRequest } from './decision';
import { decide, londonDayStart, PolicyIndex } from './engine';
import { agreementHash } from './hash';

const codes = (d: Decision) => d.reasons.map((r) => r.code);
const categoryNames = (d: Decision) => d.obligations.categories.map((c) => c.name);

function run(
  request: DecisionRequest,
  agreements: AgreementVersion[] = [agreementFixture()],
): Decision {
  const viaIndex = new PolicyIndex(agreements).decide(request);
  // Both entry points must always agree.
  expect(decide({ request, agreements })).toEqual(viaIndex);
  return viaIndex;
}

describe(PolicyIndex.name, () => {
  describe('choosing the agreement in force', () => {
    it('permits under an active agreement in its window and names it with its content hash', () => {
      const agreement = agreementFixture();
      const sut = run(requestFixture(), [agreement]);
      expect(sut.decision).toBe('permit');
      expect(codes(sut)[0]).toBe('POLICY.PERMITTED');
      expect(sut.agreement).toEqual({
        id: agreement.id,
        version: 1,
        hash: agreementHash(agreement),
      });
      expect(sut.legalGateways).toEqual([
        { code: 'uk-gdpr-art-6-1-e', label: 'UK GDPR Art 6(1)(e)' },
        { code: 'cda-1998-s115', label: 'Crime and Disorder Act 1998 s115' },
      ]);
    });

    it('denies when there is no agreement for the partnership and agency', () => {
      expect(codes(run(requestFixture(), []))).toEqual(['POLICY.NO_ACTIVE_AGREEMENT']);
      expect(run(requestFixture({ partnership: 'elsewhere' })).decision).toBe('deny');
      const sut = run(requestFixture({ agency: 'health' }));
      expect(codes(sut)).toEqual(['POLICY.NO_ACTIVE_AGREEMENT']);
      expect(sut.agreement).toBeUndefined();
      expect(sut.obligations.categories).toEqual([]);
    });

    it('ignores drafts', () => {
      expect(codes(run(requestFixture(), [agreementFixture({ status: 'draft' })]))).toEqual([
        'POLICY.NO_ACTIVE_AGREEMENT',
      ]);
    });

    it('denies before the agreement comes into force, saying when it will', () => {
      // 23:59:59 on 31 March London time (BST began on 29 March 2026).
      const sut = run(requestFixture({ now: new Date('2026-03-31T22:59:59Z') }));
      expect(codes(sut)).toEqual(['POLICY.NO_ACTIVE_AGREEMENT']);
      expect(sut.reasons[0].text).toContain('1 April 2026');
    });

    it('treats effectiveFrom and effectiveTo as whole London days, inclusive', () => {
      // 00:00 BST on 1 April 2026 is 23:00 UTC on 31 March.
      expect(run(requestFixture({ now: new Date('2026-03-31T23:00:00Z') })).decision).toBe(
        'permit',
      );
      // BST began on 25 March 2029: the last second of 31 March London time is 22:59:59 UTC.
      expect(run(requestFixture({ now: new Date('2029-03-31T22:59:59Z') })).decision).toBe(
        'permit',
      );
      const sut = run(requestFixture({ now: new Date('2029-03-31T23:00:00Z') }));
      expect(codes(sut)).toEqual(['POLICY.AGREEMENT_EXPIRED']);
      expect(sut.reasons[0].text).toContain('31 March 2029');
    });

    it('starts and ends a version at London midnight in summer: 23:30 UTC in June is the next day', () => {
      const june = [
        agreementFixture({ version: 1, effectiveTo: '2026-06-14' }),
        agreementFixture({ version: 2, effectiveFrom: '2026-06-15', effectiveTo: undefined }),
      ];
      // 00:30 BST on 15 June: version 2 governs, version 1 has ended.
      const after = run(requestFixture({ now: new Date('2026-06-14T23:30:00Z') }), june);
      expect(after.agreement?.version).toBe(2);
      // 23:30 BST on 14 June: still version 1.
      const before = run(requestFixture({ now: new Date('2026-06-14T22:30:00Z') }), june);
      expect(before.agreement?.version).toBe(1);
      // Only version 1: at 00:30 BST on 15 June it has ended, and the reason names its last day.
      const ended = run(requestFixture({ now: new Date('2026-06-14T23:30:00Z') }), [june[0]]);
      expect(codes(ended)).toEqual(['POLICY.AGREEMENT_EXPIRED']);
      expect(ended.reasons[0].text).toContain('14 June 2026');
    });

    it('takes the London day across both clock changes', () => {
      // 28 March 2027: clocks go forward at 01:00 UTC; the day began at 00:00 UTC (GMT).
      expect(londonDayStart('2027-03-28')).toBe(Date.parse('2027-03-28T00:00:00Z'));
      expect(londonDayStart('2027-03-29')).toBe(Date.parse('2027-03-28T23:00:00Z'));
      // 31 October 2027: clocks go back at 01:00 UTC; the day began at 23:00 UTC (BST).
      expect(londonDayStart('2027-10-31')).toBe(Date.parse('2027-10-30T23:00:00Z'));
      expect(londonDayStart('2027-11-01')).toBe(Date.parse('2027-11-01T00:00:00Z'));
      expect(londonDayStart('2028-02-29')).toBe(Date.parse('2028-02-29T00:00:00Z'));
    });

    it('treats an agreement without effectiveTo as open-ended', () => {
      expect(
        run(requestFixture({ now: new Date('2099-01-01T00:00:00Z') }), [
          agreementFixture({ effectiveTo: undefined }),
        ]).decision,
      ).toBe('permit');
    });

    it('never permits under a suspended agreement', () => {
      const sut = run(requestFixture(), [agreementFixture({ status: 'suspended' })]);
      expect(sut.decision).toBe('deny');
      expect(codes(sut)).toEqual(['POLICY.AGREEMENT_SUSPENDED']);
      expect(sut.agreement?.version).toBe(1);
    });

    it('never permits under an agreement marked expired, even inside its window', () => {
      expect(codes(run(requestFixture(), [agreementFixture({ status: 'expired' })]))).toEqual([
        'POLICY.AGREEMENT_EXPIRED',
      ]);
    });

    it('lets the latest version in force govern, so suspending it stops sharing under older versions', () => {
      const v1 = agreementFixture({ version: 1 });
      const v2 = agreementFixture({ version: 2, status: 'suspended' });
      expect(codes(run(requestFixture(), [v1, v2]))).toEqual(['POLICY.AGREEMENT_SUSPENDED']);
      const v3 = agreementFixture({
        version: 3,
        retentionDays: 30,
        purposes: { 's47-enquiry': v1.purposes['s47-enquiry']! },
      });
      const sut = run(requestFixture({ purpose: 's47-enquiry' }), [v1, v2, v3]);
      expect(sut.agreement?.version).toBe(3);
      expect(sut.obligations.retentionDays).toBe(30);
    });

    it('falls back to an earlier version when a later one is not yet in force', () => {
      const v1 = agreementFixture({ version: 1, effectiveTo: '2026-12-31' });
      const v2 = agreementFixture({
        version: 2,
        effectiveFrom: '2027-01-01',
        effectiveTo: undefined,
      });
      expect(run(requestFixture(), [v2, v1]).agreement?.version).toBe(1);
      expect(
        run(requestFixture({ now: new Date('2027-02-01T00:00:00Z') }), [v1, v2]).agreement?.version,
      ).toBe(2);
      expect(
        run(requestFixture({ now: new Date('2027-02-01T00:00:00Z') }), [
          v1,
          { ...v2, status: 'draft' as const },
        ]).decision,
      ).toBe('deny');
    });

    it('denies a purpose the agreement in force does not cover', () => {
      const sut = run(requestFixture({ purpose: 'strategy-discussion' }));
      expect(codes(sut)).toEqual(['POLICY.PURPOSE_NOT_COVERED']);
      expect(sut.reasons[0].text).toContain('strategy discussion');
    });

    it('denies users who are neither analysts nor managers, and malformed requests', () => {
      expect(codes(run(requestFixture({ user: { sub: 'x', roles: ['auditor'] } })))).toEqual([
        'POLICY.ROLE_NOT_PERMITTED',
      ]);
      expect(run(requestFixture({ user: { sub: 'x', roles: ['manager'] } })).decision).toBe(
        'permit',
      );
      expect(codes(run(requestFixture({}, { level: 7 })))).toEqual(['POLICY.INVALID_REQUEST']);
      expect(codes(run(requestFixture({ now: new Date('nonsense') })))).toEqual([
        'POLICY.INVALID_REQUEST',
      ]);
    });
  });

  describe('obligations', () => {
    it('lists only included and masked fields, in the agreement’s order, with the purpose’s retention', () => {
      const sut = run(requestFixture());
      expect(sut.obligations).toEqual({
        categories: [
          {
            name: 'occurrences',
            fields: [
              { name: 'occurredOn', action: 'include' },
              { name: 'type', action: 'include' },
              { name: 'role', action: 'include' },
              { name: 'location', action: 'mask', mask: 'partial-postcode' },
            ],
          },
          {
            name: 'warnings',
            fields: [
              { name: 'type', action: 'include' },
              { name: 'addedOn', action: 'mask', mask: 'month-year' },
            ],
          },
        ],
        retentionDays: 90,
        justificationRequired: false,
      });
    });

    it('uses the agreement’s retention and gateways when the purpose does not override them', () => {
      const sut = run(requestFixture({ purpose: 's47-enquiry' }));
      expect(sut.obligations.retentionDays).toBe(180);
      expect(sut.legalGateways.map((g) => g.code)).toEqual(agreementFixture().legalGateways);
    });

    it('requires a justification when the purpose says so', () => {
      const base = agreementFixture();
      const agreement = agreementFixture({
        purposes: {
          'mash-triage': { ...base.purposes['mash-triage']!, justificationRequired: true },
        },
      });
      expect(run(requestFixture(), [agreement]).obligations.justificationRequired).toBe(true);
    });

    it('drops a category whose every field is excluded, and denies when nothing is left to share', () => {
      const agreement = agreementFixture({
        purposes: {
          'mash-triage': { categories: { occurrences: { fields: { summary: 'exclude' } } } },
        },
      });
      expect(codes(run(requestFixture(), [agreement]))).toEqual([
        'POLICY.CONSENT_GIVEN',
        'POLICY.NOTHING_TO_SHARE',
      ]);
    });

    it('returns fresh obligations each time, so a caller cannot alter later decisions', () => {
      const index = new PolicyIndex([agreementFixture()]);
      const first = index.decide(requestFixture());
      first.obligations.categories[0].fields.push({ name: 'summary', action: 'include' });
      expect(
        index.decide(requestFixture()).obligations.categories[0].fields.map((f) => f.name),
      ).not.toContain('summary');
    });
  });

  describe('thresholds', () => {
    it('drops categories below the minimum level of need, with a reason naming the category', () => {
      const sut = run(requestFixture({}, { level: 1, rag: 'red' }));
      expect(sut.decision).toBe('deny');
      expect(
        sut.reasons.filter((r) => r.code === 'POLICY.BELOW_THRESHOLD').map((r) => r.category),
      ).toEqual(['occurrences', 'warnings']);
    });

    it('drops categories below the minimum RAG but shares the rest', () => {
      const sut = run(requestFixture({}, { level: 2, rag: 'green' }));
      expect(sut.decision).toBe('permit');
      expect(categoryNames(sut)).toEqual(['occurrences']);
      const dropped = sut.reasons.find((r) => r.code === 'POLICY.BELOW_THRESHOLD');
      expect(dropped?.category).toBe('warnings');
      expect(dropped?.text).toMatch(/amber or higher/);
      expect(
        run(requestFixture({}, { level: 2, rag: 'amber' })).obligations.categories,
      ).toHaveLength(2);
    });

    it('shares a category with no thresholds at any level', () => {
      expect(
        run(requestFixture({ purpose: 's47-enquiry' }, { level: 1, rag: 'green' })).decision,
      ).toBe('permit');
    });
  });

  describe('consent', () => {
    const requiredAgreement = agreementFixture({ consent: { rule: 'required' } });
    const managerAgreement = agreementFixture({ consent: { rule: 'manager-approval-required' } });
    const withConsent = (consent: DecisionRequest['case']['consent']) =>
      requestFixture({}, { consent });

    it('permits with consent given under every rule, without requiring a justification', () => {
      for (const agreement of [agreementFixture(), requiredAgreement, managerAgreement]) {
        const sut = run(withConsent({ status: 'given' }), [agreement]);
        expect(sut.decision).toBe('permit');
        expect(codes(sut)).toContain('POLICY.CONSENT_GIVEN');
      }
    });

    it('under "required", denies unless consent was given', () => {
      expect(
        codes(
          run(withConsent({ status: 'refused', reason: 'risk-of-significant-harm' }), [
            requiredAgreement,
          ]),
        ),
      ).toEqual(['POLICY.CONSENT_REFUSED']);
      expect(
        codes(
          run(withConsent({ status: 'not-sought', reason: 'risk-of-significant-harm' }), [
            requiredAgreement,
          ]),
        ),
      ).toEqual(['POLICY.CONSENT_REQUIRED']);
      expect(codes(run(withConsent({ status: 'none' }), [requiredAgreement]))).toEqual([
        'POLICY.CONSENT_REQUIRED',
      ]);
    });

    it('under "not-required-with-reason", permits without consent only for an accepted reason, and then requires a justification', () => {
      const sut = run(
        withConsent({ status: 'not-sought', reason: 'cannot-reasonably-be-obtained' }),
      );
      expect(sut.decision).toBe('permit');
      expect(codes(sut)).toContain('POLICY.CONSENT_NOT_REQUIRED');
      expect(sut.obligations.justificationRequired).toBe(true);
      expect(
        run(withConsent({ status: 'none', reason: 'risk-of-significant-harm' })).decision,
      ).toBe('permit');
      expect(codes(run(withConsent({ status: 'not-sought' })))).toEqual([
        'POLICY.CONSENT_REASON_REQUIRED',
      ]);
      expect(codes(run(withConsent({ status: 'none' })))).toEqual([
        'POLICY.CONSENT_REASON_REQUIRED',
      ]);
      expect(
        codes(
          run(withConsent({ status: 'not-sought', reason: 'would-prejudice-crime-prevention' })),
        ),
      ).toEqual(['POLICY.CONSENT_REASON_NOT_ACCEPTED']);
      expect(codes(run(withConsent({ status: 'not-sought', reason: 'made-up' })))).toEqual([
        'POLICY.CONSENT_REASON_NOT_ACCEPTED',
      ]);
    });

    it('overrides a refusal only where respecting it would put the child at risk of significant harm', () => {
      const sut = run(withConsent({ status: 'refused', reason: 'risk-of-significant-harm' }));
      expect(sut.decision).toBe('permit');
      expect(codes(sut)).toContain('POLICY.CONSENT_OVERRIDDEN');
      expect(sut.obligations.justificationRequired).toBe(true);
      expect(
        codes(run(withConsent({ status: 'refused', reason: 'cannot-reasonably-be-obtained' }))),
      ).toEqual(['POLICY.CONSENT_REFUSED']);
      expect(codes(run(withConsent({ status: 'refused' })))).toEqual(['POLICY.CONSENT_REFUSED']);
    });

    it('does not override a refusal when the agreement does not accept the significant-harm reason', () => {
      const agreement = agreementFixture({
        consent: {
          rule: 'not-required-with-reason',
          allowedReasons: ['cannot-reasonably-be-obtained'],
        },
      });
      expect(
        codes(
          run(withConsent({ status: 'refused', reason: 'risk-of-significant-harm' }), [agreement]),
        ),
      ).toEqual(['POLICY.CONSENT_REFUSED']);
    });

    it('under "manager-approval-required", needs a recorded reason and a manager’s approval to proceed without consent', () => {
      expect(
        codes(
          run(withConsent({ status: 'not-sought', reason: 'would-prejudice-crime-prevention' }), [
            managerAgreement,
          ]),
        ),
      ).toEqual(['POLICY.MANAGER_APPROVAL_PENDING']);
      expect(
        codes(
          run(withConsent({ status: 'not-sought', managerApproved: true }), [managerAgreement]),
        ),
      ).toEqual(['POLICY.CONSENT_REASON_REQUIRED']);
      const sut = run(
        withConsent({
          status: 'not-sought',
          reason: 'would-prejudice-crime-prevention',
          managerApproved: true,
        }),
        [managerAgreement],
      );
      expect(sut.decision).toBe('permit');
      expect(sut.obligations.justificationRequired).toBe(true);
    });

    it('under "manager-approval-required", overrides a refusal only for significant harm and with approval', () => {
      expect(
        codes(
          run(withConsent({ status: 'refused', reason: 'risk-of-significant-harm' }), [
            managerAgreement,
          ]),
        ),
      ).toEqual(['POLICY.MANAGER_APPROVAL_PENDING']);
      expect(
        codes(
          run(
            withConsent({
              status: 'refused',
              reason: 'cannot-reasonably-be-obtained',
              managerApproved: true,
            }),
            [managerAgreement],
          ),
        ),
      ).toEqual(['POLICY.CONSENT_REFUSED']);
      expect(
        run(
          withConsent({
            status: 'refused',
            reason: 'risk-of-significant-harm',
            managerApproved: true,
          }),
          [managerAgreement],
        ).decision,
      ).toBe('permit');
    });

    it('lets a purpose override the agreement’s consent rule', () => {
      const base = agreementFixture({ consent: { rule: 'required' } });
      const agreement = {
        ...base,
        purposes: {
          ...base.purposes,
          's47-enquiry': {
            ...base.purposes['s47-enquiry']!,
            consent: {
              rule: 'not-required-with-reason' as const,
              allowedReasons: ['would-prejudice-enquiries' as const],
            },
          },
        },
      };
      const request = requestFixture(
        { purpose: 's47-enquiry' },
        { consent: { status: 'not-sought', reason: 'would-prejudice-enquiries' } },
      );
      expect(run(request, [agreement]).decision).toBe('permit');
      expect(run({ ...request, purpose: 'mash-triage' }, [agreement]).decision).toBe('deny');
    });

    it('reports threshold drops alongside a consent denial so the analyst sees everything at once', () => {
      const sut = run(
        requestFixture({}, { level: 2, rag: 'green', consent: { status: 'not-sought' } }),
      );
      expect(codes(sut)).toEqual(['POLICY.CONSENT_REASON_REQUIRED', 'POLICY.BELOW_THRESHOLD']);
      expect(sut.obligations.categories).toEqual([]);
    });
  });

  it('keeps reason texts free of the case id and user', () => {
    const sut = run(
      requestFixture(
        { user: { sub: 'jane.doe', roles: ['analyst'] } },
        { id: 'CASE-SECRET-42', level: 2, rag: 'green', consent: { status: 'refused' } },
      ),
    );
    for (const r of sut.reasons) expect(r.text).not.toMatch(/CASE-SECRET-42|jane\.doe/);
  });

  it('indexes many partnerships and agencies separately', () => {
    const agreements = ['a', 'b', 'c'].flatMap((partnership) =>
      (['police', 'health'] as const).map((agency, i) =>
        agreementFixture({
          id: `11111111-2222-4333-8444-00000000000${i}`,
          partnership,
          agency,
          status: partnership === 'b' ? 'suspended' : 'active',
        }),
      ),
    );
    const sut = new PolicyIndex(agreements);
    expect(sut.size).toBe(6);
    expect(sut.versionsFor('b', 'health')).toHaveLength(1);
    expect(sut.decide(requestFixture({ partnership: 'a', agency: 'health' })).decision).toBe(
      'permit',
    );
    expect(sut.decide(requestFixture({ partnership: 'b', agency: 'health' })).decision).toBe(
      'deny',
    );
    expect(sut.decide(requestFixture({ partnership: 'c', agency: 'education' })).decision).toBe(
      'deny',
    );
  });

  describe('household members', () => {
    /** The fixture's triage purpose, covering siblings, parents and a parent's partner. */
    function household(
      rule: NonNullable<NonNullable<AgreementVersion['purposes']['mash-triage']>['household']> = {
        relationships: ['sibling', 'parent', 'partner-of-parent'],
        adultCategories: ['warnings'],
        consentScope: 'per-person',
      },
    ): AgreementVersion {
      const base = agreementFixture();
      return {
        ...base,
        purposes: {
          ...base.purposes,
          'mash-triage': { ...base.purposes['mash-triage']!, household: rule },
        },
      };
    }

    it('asks about the child alone where the agreement says nothing of the household', () => {
      const sut = run(requestFixture({ member: { relationship: 'sibling', adult: false } }), [
        agreementFixture(),
      ]);
      expect(codes(sut)).toEqual(['POLICY.RELATIONSHIP_NOT_COVERED']);
      expect(sut.reasons[0].text).toContain('does not cover asking about a sibling');
      expect(sut.agreement?.version).toBe(1);
    });

    it('denies a relationship the agreement does not list', () => {
      const sut = run(requestFixture({ member: { relationship: 'other-adult', adult: true } }), [
        household(),
      ]);
      expect(codes(sut)).toEqual(['POLICY.RELATIONSHIP_NOT_COVERED']);
    });

    it('shares about a child in the household what it would share about the subject', () => {
      const child = run(requestFixture(), [household()]);
      const sibling = run(requestFixture({ member: { relationship: 'sibling', adult: false } }), [
        household(),
      ]);
      expect(sibling.decision).toBe('permit');
      expect(sibling.obligations).toEqual(child.obligations);
    });

    it('shares about an adult only the categories the agreement names for adults, and says so', () => {
      const sut = run(
        requestFixture({ member: { relationship: 'partner-of-parent', adult: true } }),
        [household()],
      );
      expect(sut.decision).toBe('permit');
      expect(categoryNames(sut)).toEqual(['warnings']);
      expect(sut.reasons).toContainEqual(
        expect.objectContaining({ code: 'POLICY.NOT_SHARED_FOR_ADULTS', category: 'occurrences' }),
      );
    });

    it('shares nothing about an adult when the agreement names no category for adults', () => {
      const sut = run(requestFixture({ member: { relationship: 'parent', adult: true } }), [
        household({ relationships: ['parent'], adultCategories: [], consentScope: 'per-person' }),
      ]);
      expect(sut.decision).toBe('deny');
      expect(codes(sut)).toContain('POLICY.NOT_SHARED_FOR_ADULTS');
    });

    it("takes each person's own consent: a parent's refusal for herself does not stop asking about the children", () => {
      const refused = { status: 'refused' as const };
      const mother = run(
        requestFixture({ member: { relationship: 'parent', adult: true } }, { consent: refused }),
        [household()],
      );
      expect(mother.decision).toBe('deny');
      expect(codes(mother)).toContain('POLICY.CONSENT_REFUSED');
      const sibling = run(
        requestFixture({
          member: { relationship: 'sibling', adult: false, householdRefusal: true },
        }),
        [household()],
      );
      expect(sibling.decision).toBe('permit');
    });

    it('lets one refusal stop asking about everyone where the agreement treats consent as the household’s', () => {
      const sut = run(
        requestFixture({
          member: { relationship: 'sibling', adult: false, householdRefusal: true },
        }),
        [
          household({
            relationships: ['sibling'],
            adultCategories: [],
            consentScope: 'household',
          }),
        ],
      );
      expect(codes(sut)).toEqual(['POLICY.HOUSEHOLD_CONSENT_REFUSED']);
    });

    it('refuses a member with an unknown relationship as an invalid request', () => {
      const sut = run(
        requestFixture({
          member: { relationship: 'lodger' as 'sibling', adult: true },
        }),
        [household()],
      );
      expect(codes(sut)).toEqual(['POLICY.INVALID_REQUEST']);
    });
  });
});
