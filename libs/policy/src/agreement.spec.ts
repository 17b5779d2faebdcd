import { agreementJsonSchema, AgreementVersionSchema } from './agreement';
import { agreementFixture } from './agreement.fixture';
import { AgreementInvalidError, type AgreementProblem } from './errors';
import { validateAgreement } from './parse';

function problemsOf(value: unknown): AgreementProblem[] {
  try {
    validateAgreement(value, 'test.yaml');
  } catch (error) {
    if (error instanceof AgreementInvalidError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the agreement to be rejected');
}

const fields = (value: unknown) => problemsOf(value).map((p) => p.field);

describe(validateAgreement.name, () => {
  it('accepts a complete, signed, active agreement', () => {
    const sut = agreementFixture();
    expect(validateAgreement(sut)).toEqual(sut);
  });

  it('accepts a draft without signatories but not an active one', () => {
    expect(() =>
      validateAgreement(agreementFixture({ status: 'draft', signatories: [] })),
    ).not.toThrow();
    expect(problemsOf(agreementFixture({ status: 'active', signatories: [] }))).toEqual([
      {
        file: 'test.yaml',
        field: 'signatories',
        reason: 'an agreement with status active must be signed by at least one signatory',
      },
    ]);
  });

  it('rejects an effective window that ends before it starts', () => {
    expect(
      fields(agreementFixture({ effectiveFrom: '2026-04-01', effectiveTo: '2026-03-31' })),
    ).toEqual(['effectiveTo']);
  });

  it('rejects dates that are not calendar dates', () => {
    expect(fields(agreementFixture({ reviewDate: '2027-02-30' }))).toEqual(['reviewDate']);
  });

  it('rejects legal gateways outside the catalogue', () => {
    const sut = agreementFixture({ legalGateways: ['uk-gdpr-art-6-1-e', 'made-up-act' as never] });
    expect(fields(sut)).toEqual(['legalGateways.1']);
  });

  it('requires an Article 6 basis and a DPA 2018 condition alongside Article 9(2)(g)', () => {
    const sut = agreementFixture({
      legalGateways: ['uk-gdpr-art-9-2-g', 'cda-1998-s115'],
      purposes: { 's47-enquiry': { categories: { occurrences: { fields: { type: 'include' } } } } },
    });
    expect(problemsOf(sut).map((p) => p.reason)).toEqual([
      'must include a UK GDPR Article 6 basis',
      'UK GDPR Article 9(2)(g) needs a DPA 2018 Schedule 1 condition',
    ]);
  });

  it('rejects a purpose relying on a gateway the agreement does not cite', () => {
    const base = agreementFixture();
    const sut = agreementFixture({
      purposes: {
        'mash-triage': {
          ...base.purposes['mash-triage']!,
          legalGateways: ['uk-gdpr-art-6-1-e', 'ca-2004-s10'],
        },
      },
    });
    expect(fields(sut)).toEqual(['purposes.mash-triage.legalGateways.1']);
  });

  it('takes a household rule, defaulting to per-person consent, and rejects adult categories the purpose lacks', () => {
    const base = agreementFixture();
    const triage = base.purposes['mash-triage']!;
    const withHousehold = (household: unknown) =>
      agreementFixture({
        purposes: { 'mash-triage': { ...triage, household } as typeof triage },
      });
    const parsed = validateAgreement(
      withHousehold({ relationships: ['parent'], adultCategories: ['warnings'] }),
    );
    expect(parsed.purposes['mash-triage']?.household).toEqual({
      relationships: ['parent'],
      adultCategories: ['warnings'],
      consentScope: 'per-person',
    });
    expect(
      fields(withHousehold({ relationships: ['parent'], adultCategories: ['custody'] })),
    ).toEqual(['purposes.mash-triage.household.adultCategories.0']);
    expect(fields(withHousehold({ relationships: ['lodger'] }))).toEqual([
      'purposes.mash-triage.household.relationships.0',
    ]);
    expect(fields(withHousehold({ relationships: [] }))).toEqual([
      'purposes.mash-triage.household.relationships',
    ]);
  });

  it('rejects an agreement covering no purpose, and unknown purposes', () => {
    expect(fields(agreementFixture({ purposes: {} }))).toEqual(['purposes']);
    const sut = { ...agreementFixture(), purposes: { 'fishing-expedition': { categories: {} } } };
    expect(fields(sut)).toContain('purposes.fishing-expedition');
  });

  it('names each unknown field so typos in agreements are caught', () => {
    const sut = {
      ...agreementFixture(),
      retentionDay: 30,
      consent: { rule: 'required', because: 'x' },
    };
    expect(fields(sut).sort()).toEqual(['consent.because', 'retentionDay']);
  });

  it('reports a bad mask kind at the mask itself', () => {
    const base = agreementFixture();
    const sut = structuredClone(base) as unknown as {
      purposes: Record<string, { categories: Record<string, { fields: Record<string, unknown> }> }>;
    };
    sut.purposes['mash-triage'].categories.occurrences.fields.location = { mask: 'scramble' };
    const problems = problemsOf(sut);
    expect(problems.map((p) => p.field)).toEqual([
      'purposes.mash-triage.categories.occurrences.fields.location.mask',
    ]);
    expect(problems[0].reason).toMatch(/partial-postcode/);
  });

  it('rejects field actions other than include, exclude or a mask', () => {
    const sut = structuredClone(agreementFixture()) as unknown as {
      purposes: Record<string, { categories: Record<string, { fields: Record<string, unknown> }> }>;
    };
    sut.purposes['mash-triage'].categories.occurrences.fields.type = 'share';
    expect(problemsOf(sut)).toEqual([
      expect.objectContaining({
        field: 'purposes.mash-triage.categories.occurrences.fields.type',
        reason: expect.stringMatching(/include, exclude/),
      }),
    ]);
  });

  it('rejects thresholds outside the level-of-need scale and unknown consent reasons', () => {
    const base = agreementFixture();
    const sut = agreementFixture({
      consent: { rule: 'not-required-with-reason', allowedReasons: ['because-we-can' as never] },
      purposes: {
        's47-enquiry': {
          categories: {
            occurrences: {
              minimumLevel: 5,
              fields: base.purposes['s47-enquiry']!.categories.occurrences.fields,
            },
          },
        },
      },
    });
    expect(fields(sut).sort()).toEqual([
      'consent.allowedReasons.0',
      'purposes.s47-enquiry.categories.occurrences.minimumLevel',
    ]);
  });

  it('lists every problem at once, not just the first', () => {
    const sut = {
      ...agreementFixture(),
      id: 'not-an-id',
      version: 0,
      agency: 'fire-service',
      status: 'paused',
    };
    expect(fields(sut).sort()).toEqual(['agency', 'id', 'status', 'version']);
  });
});

describe(agreementJsonSchema.name, () => {
  it('describes the same shape the zod schema validates', () => {
    const sut = agreementJsonSchema() as {
      required: string[];
      properties: Record<string, unknown>;
      additionalProperties: boolean;
    };
    expect(sut.additionalProperties).toBe(false);
    expect(Object.keys(sut.properties).sort()).toEqual(
      Object.keys(AgreementVersionSchema.shape).sort(),
    );
    expect(sut.required).toEqual(
      expect.arrayContaining([
        'id',
        'version',
        'partnership',
        'agency',
        'purposes',
        'status',
        'signatories',
      ]),
    );
    expect(sut.required).not.toContain('effectiveTo');
  });
});
