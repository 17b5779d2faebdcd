import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AGENCIES, PURPOSES, type Agency } from '@mash/contracts';
import {
  agreementHash,
  explain,
  minimise,
  parseAgreementSet,
  PolicyIndex,
  type AgreementVersion,
  type DecisionRequest,
} from '@mash/policy';

const dir = join(__dirname, '..', '..', '..', 'deploy', 'agreements', 'demo');

/** The categories and fields the adapters and the seed produce; the demo agreements must name exactly these. */
const SOURCE_FIELDS: Record<Agency, Record<string, string[]>> = {
  police: {
    occurrences: [
      'occurrenceRef',
      'occurredOn',
      'type',
      'role',
      'domesticAbuse',
      'location',
      'summary',
    ],
    warnings: ['type', 'addedOn'],
  },
  health: {
    attendances: ['attendedOn', 'department', 'reason', 'outcome'],
    flags: ['type', 'startedOn'],
    gp: ['practiceName', 'registeredOn'],
  },
  education: {
    enrolment: ['schoolName', 'urn', 'enrolledOn', 'yearGroup'],
    attendance: ['term', 'percentage'],
    exclusions: ['startedOn', 'type', 'reason', 'days'],
    sen: ['provision', 'needType'],
  },
  'social-care': {
    involvement: [
      'referralDate',
      'assessmentDate',
      'cinPlanStart',
      'cppStart',
      'cppCategory',
      'lookedAfterStart',
      'legalStatus',
    ],
  },
};

const load = (): AgreementVersion[] =>
  parseAgreementSet(
    readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => ({
        name: `deploy/agreements/demo/${f}`,
        text: readFileSync(join(dir, f), 'utf8'),
      })),
  );

const request = (
  agency: Agency,
  overrides: Partial<DecisionRequest['case']> = {},
): DecisionRequest => ({
  partnership: 'demo',
  agency,
  purpose: 'mash-triage',
  user: { sub: 'analyst-1', roles: ['analyst'] },
  case: { id: 'case-1', level: 3, rag: 'amber', consent: { status: 'given' }, ...overrides },
  now: new Date('2026-12-01T10:00:00Z'),
});

describe('demo agreements (deploy/agreements/demo)', () => {
  const agreements = load();
  const sut = new PolicyIndex(agreements);

  it('has one valid, active, signed agreement per agency, each with a distinct id', () => {
    expect(agreements.map((a) => a.agency).sort()).toEqual([...AGENCIES].sort());
    for (const a of agreements) {
      expect(a).toMatchObject({ partnership: 'demo', status: 'active' });
      expect(a.signatories.length).toBeGreaterThanOrEqual(2);
    }
    expect(new Set(agreements.map((a) => a.id)).size).toBe(4);
    expect(new Set(agreements.map(agreementHash)).size).toBe(4);
  });

  it('names exactly the categories and fields the agency sources produce, for every purpose', () => {
    for (const a of agreements) {
      for (const purpose of PURPOSES) {
        const rule = a.purposes[purpose];
        expect(rule).toBeDefined();
        const named = Object.fromEntries(
          Object.entries(rule!.categories).map(([c, r]) => [c, Object.keys(r.fields)]),
        );
        expect(named).toEqual(SOURCE_FIELDS[a.agency]);
      }
    }
  });

  it('masks the police location and withholds the summary for triage, but shares it for a section 47 enquiry', () => {
    const triage = sut.decide(request('police'));
    const occurrences = triage.obligations.categories.find((c) => c.name === 'occurrences')!;
    expect(occurrences.fields).toContainEqual({
      name: 'location',
      action: 'mask',
      mask: 'partial-postcode',
    });
    expect(occurrences.fields.map((f) => f.name)).not.toContain('summary');
    const s47 = sut.decide({ ...request('police'), purpose: 's47-enquiry' });
    expect(s47.obligations.categories.find((c) => c.name === 'occurrences')!.fields).toContainEqual(
      { name: 'summary', action: 'include' },
    );
  });

  it('shares police warnings only when the case is rated amber or red, and nothing below level 2', () => {
    expect(
      sut.decide(request('police', { rag: 'green' })).obligations.categories.map((c) => c.name),
    ).toEqual(['occurrences']);
    for (const agency of AGENCIES)
      expect(sut.decide(request(agency, { level: 1 })).decision).toBe('deny');
  });

  it('applies each agency’s consent rule when consent was not sought', () => {
    const notSought = {
      consent: { status: 'not-sought' as const, reason: 'risk-of-significant-harm' },
    };
    expect(sut.decide(request('police', notSought)).decision).toBe('permit');
    expect(sut.decide(request('education', notSought)).decision).toBe('permit');
    expect(sut.decide(request('social-care', notSought)).decision).toBe('permit');
    expect(sut.decide(request('health', notSought)).reasons.map((r) => r.code)).toEqual([
      'POLICY.MANAGER_APPROVAL_PENDING',
    ]);
    expect(
      sut.decide(request('health', { consent: { ...notSought.consent, managerApproved: true } }))
        .decision,
    ).toBe('permit');
  });

  it('minimises a police record for triage and explains it in plain English', () => {
    const decision = sut.decide(request('police'));
    const records = {
      occurrences: [
        {
          occurrenceRef: 'OCC-1',
          occurredOn: '2026-10-01',
          type: 'domestic-incident',
          role: 'child-present',
          domesticAbuse: true,
          location: 'DE1 3AB',
          summary: 'narrative',
        },
      ],
    };
    expect(minimise(records, decision.obligations)).toEqual({
      occurrences: [
        {
          occurrenceRef: 'OCC-1',
          occurredOn: '2026-10-01',
          type: 'domestic-incident',
          role: 'child-present',
          domesticAbuse: true,
          location: 'DE1',
        },
      ],
    });
    expect(explain(decision)).toMatch(
      /^Police would share occurrences \(.*location as partial postcode\).* for MASH triage under .*Crime and Disorder Act 1998 s115/,
    );
  });
});
