import { stringify } from 'yaml';
import { agreementFixture } from './agreement.fixture';
import { agreementHash, UNHASHED_AGREEMENT_FIELDS } from './hash';
import { parseAgreementFile } from './parse';

describe(agreementHash.name, () => {
  const agreement = agreementFixture();

  it('is a SHA-256 in lowercase hex', () => {
    expect(agreementHash(agreement)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not change when only the identity or approval state changes', () => {
    const sut = agreementHash(agreement);
    expect(UNHASHED_AGREEMENT_FIELDS).toEqual(['id', 'version', 'status', 'signatories']);
    expect(agreementHash({ ...agreement, status: 'suspended' })).toBe(sut);
    expect(
      agreementHash({ ...agreement, id: '99999999-2222-4333-8444-555555555555', version: 7 }),
    ).toBe(sut);
    expect(agreementHash({ ...agreement, signatories: [] })).toBe(sut);
  });

  it('changes when anything agreed changes', () => {
    const sut = agreementHash(agreement);
    const triage = agreement.purposes['mash-triage']!;
    const changed = [
      { ...agreement, retentionDays: 181 },
      { ...agreement, effectiveTo: '2029-04-01' },
      { ...agreement, reviewDate: '2027-04-01' },
      { ...agreement, partnership: 'other' },
      { ...agreement, consent: { rule: 'required' as const } },
      {
        ...agreement,
        purposes: {
          ...agreement.purposes,
          'mash-triage': {
            ...triage,
            categories: {
              ...triage.categories,
              occurrences: {
                ...triage.categories.occurrences,
                fields: { ...triage.categories.occurrences.fields, summary: 'include' as const },
              },
            },
          },
        },
      },
    ];
    for (const version of changed) expect(agreementHash(version)).not.toBe(sut);
  });

  it('does not depend on key order or on whether the file was YAML or JSON', () => {
    const reordered = Object.fromEntries(Object.entries(agreement).reverse()) as typeof agreement;
    const fromYaml = parseAgreementFile('a.yaml', stringify(reordered));
    const fromJson = parseAgreementFile('a.json', JSON.stringify(agreement, null, 4));
    expect(agreementHash(fromYaml)).toBe(agreementHash(agreement));
    expect(agreementHash(fromJson)).toBe(agreementHash(agreement));
  });
});
