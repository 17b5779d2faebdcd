import fc from 'fast-check';
import { AGENCIES, PURPOSES } from '@mash/contracts';
import type {
  AgreementVersion,
  CategoryRule,
  ConsentRule,
  FieldRule,
  PurposeRule,
} from './agreement';
import type { CategoryObligation, DecisionRequest, Obligations } from './decision';
import { decide, PolicyIndex } from './engine';
import { agreementHash } from './hash';
import { minimise, REDACTED } from './minimise';
import { validateAgreement } from './parse';
import {
  AGREEMENT_STATUSES,
  CONSENT_REASONS,
  MASK_KINDS,
  RAGS,
  type AgreementStatus,
} from './vocabulary';

const DAY = 86_400_000;
const EPOCH = Date.parse('2026-01-01T00:00:00Z');
const FIELDS = ['occurredOn', 'type', 'role', 'location', 'summary', 'addedOn'];
const CATEGORIES = ['occurrences', 'warnings', 'attendances', 'flags'];
const IDS = ['11111111-2222-4333-8444-000000000001', '11111111-2222-4333-8444-000000000002'];
const PARTNERSHIPS = ['north', 'south'];
// Two of the four agencies, so generated requests often meet a matching agreement.
const SOME_AGENCIES = [AGENCIES[0], AGENCIES[1]];

const isoDay = (offsetDays: number) =>
  new Date(EPOCH + offsetDays * DAY).toISOString().slice(0, 10);

const fieldRule: fc.Arbitrary<FieldRule> = fc.oneof(
  fc.constant('include' as const),
  fc.constant('exclude' as const),
  fc.constantFrom(...MASK_KINDS).map((mask) => ({ mask })),
);
const categoryRule: fc.Arbitrary<CategoryRule> = fc.record(
  {
    minimumLevel: fc.integer({ min: 1, max: 4 }),
    minimumRag: fc.constantFrom(...RAGS),
    fields: fc.dictionary(fc.constantFrom(...FIELDS), fieldRule, { maxKeys: FIELDS.length }),
  },
  { requiredKeys: ['fields'] },
);
const consentRule: fc.Arbitrary<ConsentRule> = fc.oneof(
  fc.constant({ rule: 'required' as const }),
  fc.constant({ rule: 'manager-approval-required' as const }),
  fc
    .uniqueArray(fc.constantFrom(...CONSENT_REASONS), { minLength: 1 })
    .map((allowedReasons) => ({ rule: 'not-required-with-reason' as const, allowedReasons })),
);
const purposeRule: fc.Arbitrary<PurposeRule> = fc.record(
  {
    consent: consentRule,
    retentionDays: fc.integer({ min: 1, max: 3650 }),
    justificationRequired: fc.boolean(),
    categories: fc.dictionary(fc.constantFrom(...CATEGORIES), categoryRule, {
      minKeys: 1,
      maxKeys: CATEGORIES.length,
    }),
  },
  { requiredKeys: ['categories'] },
);

const agreementArb = (
  statuses: readonly AgreementStatus[] = AGREEMENT_STATUSES,
): fc.Arbitrary<AgreementVersion> =>
  fc
    .record({
      id: fc.constantFrom(...IDS),
      version: fc.integer({ min: 1, max: 5 }),
      partnership: fc.constantFrom(...PARTNERSHIPS),
      agency: fc.constantFrom(...SOME_AGENCIES),
      consent: consentRule,
      retentionDays: fc.integer({ min: 1, max: 3650 }),
      purposes: fc.dictionary(fc.constantFrom(...PURPOSES), purposeRule, {
        minKeys: 1,
        maxKeys: PURPOSES.length,
      }),
      from: fc.integer({ min: 0, max: 700 }),
      length: fc.option(fc.integer({ min: 0, max: 700 }), { nil: undefined }),
      status: statuses.includes('active')
        ? fc.oneof(
            { arbitrary: fc.constant('active' as const), weight: 3 },
            { arbitrary: fc.constantFrom(...statuses), weight: 1 },
          )
        : fc.constantFrom(...statuses),
    })
    .map(({ from, length, ...a }) =>
      validateAgreement({
        ...a,
        legalGateways: [
          'uk-gdpr-art-6-1-e',
          'uk-gdpr-art-9-2-g',
          'dpa-2018-sch-1-para-18',
          'ca-2004-s11',
        ],
        effectiveFrom: isoDay(from),
        ...(length === undefined ? {} : { effectiveTo: isoDay(from + length) }),
        reviewDate: isoDay(from + 365),
        signatories: [
          {
            name: 'Signatory',
            role: 'DPO',
            organisation: 'Agency',
            signedAt: '2025-12-01T00:00:00Z',
          },
        ],
      }),
    );

const requestArb: fc.Arbitrary<DecisionRequest> = fc.record({
  partnership: fc.constantFrom(...PARTNERSHIPS),
  agency: fc.constantFrom(...SOME_AGENCIES),
  purpose: fc.constantFrom(...PURPOSES),
  user: fc.record({
    sub: fc.constant('user-1'),
    roles: fc.oneof(
      { arbitrary: fc.constant(['analyst']), weight: 4 },
      { arbitrary: fc.subarray(['analyst', 'manager', 'auditor', 'agreement-admin']), weight: 1 },
    ),
  }),
  case: fc.record({
    id: fc.constant('case-1'),
    level: fc.integer({ min: 1, max: 4 }),
    rag: fc.constantFrom(...RAGS),
    consent: fc.record(
      {
        status: fc.oneof(
          { arbitrary: fc.constant('given' as const), weight: 2 },
          {
            arbitrary: fc.constantFrom('refused' as const, 'not-sought' as const, 'none' as const),
            weight: 2,
          },
        ),
        reason: fc.constantFrom(...CONSENT_REASONS, 'other'),
        managerApproved: fc.boolean(),
      },
      { requiredKeys: ['status'] },
    ),
  }),
  now: fc.integer({ min: -30, max: 1000 }).map((d) => new Date(EPOCH + d * DAY + 12 * 3600_000)),
});

// (id, version) identifies a version, as the broker's store guarantees: keep the first of any duplicates.
const distinctVersions = (list: AgreementVersion[]) => [
  ...new Map(list.map((a) => [`${a.id}/${a.version}`, a] as const)).values(),
];
const agreementsOf = (statuses?: readonly AgreementStatus[]) =>
  fc
    .array(agreementArb(statuses), { minLength: 1, maxLength: 12, size: 'medium' })
    .map(distinctVersions);
const agreementsArb = agreementsOf();

/** Agreements and a request that, half the time, asks one of them about a purpose it covers while it is in its window. */
const scenarioArb = fc
  .tuple(agreementsArb, requestArb, fc.nat(), fc.boolean())
  .map(([agreements, request, pick, aim]): [AgreementVersion[], DecisionRequest] => {
    if (!aim) return [agreements, request];
    const target = agreements[pick % agreements.length];
    const purposes = Object.keys(target.purposes) as DecisionRequest['purpose'][];
    const from = Date.parse(`${target.effectiveFrom}T00:00:00Z`);
    const days =
      target.effectiveTo === undefined
        ? 1000
        : (Date.parse(`${target.effectiveTo}T00:00:00Z`) - from) / DAY + 1;
    const now = new Date(from + (pick % days) * DAY + 12 * 3600_000);
    return [
      agreements,
      {
        ...request,
        partnership: target.partnership,
        agency: target.agency,
        purpose: purposes[pick % purposes.length],
        now,
      },
    ];
  });

const inForce = (a: AgreementVersion, now: Date) =>
  Date.parse(`${a.effectiveFrom}T00:00:00Z`) <= now.getTime() &&
  (a.effectiveTo === undefined || now.getTime() < Date.parse(`${a.effectiveTo}T00:00:00Z`) + DAY);

const runs = { numRuns: 1000 };

describe(`${decide.name} (properties)`, () => {
  it('is exercised on permits as well as denials (the properties below are not vacuous)', () => {
    const samples = fc.sample(scenarioArb, { numRuns: 1000, seed: 42 });
    const permits = samples.filter(
      ([agreements, request]) => decide({ request, agreements }).decision === 'permit',
    ).length;
    expect(permits).toBeGreaterThan(100);
  });

  it('never permits without an active agreement in force for the partnership, agency and purpose', () => {
    fc.assert(
      fc.property(scenarioArb, ([agreements, request]) => {
        const sut = decide({ request, agreements });
        if (sut.decision !== 'permit') return;
        const basis = agreements.find(
          (a) =>
            a.id === sut.agreement?.id &&
            a.version === sut.agreement?.version &&
            agreementHash(a) === sut.agreement?.hash,
        );
        expect(basis).toBeDefined();
        expect([basis!.partnership, basis!.agency]).toEqual([request.partnership, request.agency]);
        expect(basis!.status).toBe('active');
        expect(inForce(basis!, request.now)).toBe(true);
        expect(basis!.purposes[request.purpose]).toBeDefined();
      }),
      runs,
    );
  });

  it('never permits a field the agreement does not include or mask, nor with a different mask', () => {
    fc.assert(
      fc.property(scenarioArb, ([agreements, request]) => {
        const sut = decide({ request, agreements });
        if (sut.decision !== 'permit') return;
        const basis = agreements.find(
          (a) =>
            a.id === sut.agreement!.id &&
            a.version === sut.agreement!.version &&
            agreementHash(a) === sut.agreement!.hash,
        )!;
        const purpose = basis.purposes[request.purpose]!;
        expect(sut.obligations.categories.length).toBeGreaterThan(0);
        for (const category of sut.obligations.categories) {
          const rule = purpose.categories[category.name];
          expect(rule).toBeDefined();
          expect(request.case.level).toBeGreaterThanOrEqual(rule.minimumLevel ?? 1);
          for (const field of category.fields) {
            const agreed = rule.fields[field.name];
            if (field.action === 'include') expect(agreed).toBe('include');
            else expect(agreed).toEqual({ mask: field.mask });
          }
        }
      }),
      runs,
    );
  });

  it('never permits when every agreement is draft, suspended or expired', () => {
    fc.assert(
      fc.property(
        agreementsOf(['draft', 'suspended', 'expired']),
        requestArb,
        (agreements, request) => {
          expect(decide({ request, agreements }).decision).toBe('deny');
        },
      ),
      runs,
    );
  });

  it('decides the same through PolicyIndex as through decide()', () => {
    fc.assert(
      fc.property(scenarioArb, ([agreements, request]) => {
        expect(new PolicyIndex(agreements).decide(request)).toEqual(
          decide({ request, agreements }),
        );
      }),
      { numRuns: 500 },
    );
  });
});

const scalar = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.date({ noInvalidDate: true }),
  fc.constantFrom('2024-02-29', 'SW1A 1AA', 'Amelia Smith'),
);
const value = fc.oneof(
  scalar,
  fc.array(scalar, { maxLength: 2 }),
  fc.dictionary(fc.string(), scalar, { maxKeys: 2 }),
);
const names = fc.constantFrom(
  ...FIELDS,
  'nhsNumber',
  'address',
  '__proto__',
  'constructor',
  'toString',
);
const obligationsArb: fc.Arbitrary<Obligations> = fc.record({
  categories: fc.uniqueArray(
    fc.record({
      name: fc.constantFrom(...CATEGORIES),
      fields: fc.uniqueArray(
        fc.oneof(
          fc.record({ name: names, action: fc.constant('include' as const) }),
          fc.record({
            name: names,
            action: fc.constant('mask' as const),
            mask: fc.constantFrom(...MASK_KINDS),
          }),
        ),
        { selector: (f) => f.name },
      ),
    }),
    { selector: (c: CategoryObligation) => c.name },
  ),
  retentionDays: fc.integer({ min: 0, max: 100 }),
  justificationRequired: fc.boolean(),
});
const recordsArb = fc.dictionary(
  fc.constantFrom(...CATEGORIES, 'custody', 'secrets'),
  fc.array(fc.dictionary(names, value), { maxLength: 3 }),
);

describe(`${minimise.name} (properties)`, () => {
  it('never outputs a category or field outside the obligations, nor a non-scalar value', () => {
    fc.assert(
      fc.property(recordsArb, obligationsArb, (records, obligations) => {
        const sut = minimise(records, obligations);
        for (const [category, rows] of Object.entries(sut)) {
          const allowed = obligations.categories.find((c) => c.name === category);
          expect(allowed).toBeDefined();
          for (const row of rows) {
            for (const [field, v] of Object.entries(row)) {
              const obligation = allowed!.fields.find((f) => f.name === field);
              expect(obligation).toBeDefined();
              expect(v === null || ['string', 'number', 'boolean'].includes(typeof v)).toBe(true);
              if (obligation!.action === 'mask' && obligation!.mask === 'redact')
                expect([REDACTED, null]).toContain(v);
            }
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('masks to the declared shape or redacts', () => {
    const shapes = {
      'year-only': /^\d{4}$/,
      'month-year': /^\d{4}-\d{2}$/,
      'partial-postcode': /^[A-Z]{1,2}\d[A-Z\d]?$/,
      initial: /^(\S\. ?)+$/u,
      redact: /^$/,
    };
    fc.assert(
      fc.property(recordsArb, obligationsArb, (records, obligations) => {
        const sut = minimise(records, obligations);
        for (const category of obligations.categories) {
          for (const row of sut[category.name] ?? []) {
            for (const field of category.fields) {
              const v = Object.hasOwn(row, field.name) ? row[field.name] : undefined;
              if (field.action !== 'mask' || v === undefined || v === null || v === REDACTED)
                continue;
              expect(String(v)).toMatch(shapes[field.mask!]);
            }
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
