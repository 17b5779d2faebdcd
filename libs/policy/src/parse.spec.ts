import { stringify } from 'yaml';
import { agreementFixture } from './agreement.fixture';
import { AgreementInvalidError } from './errors';
import { parseAgreementFile, parseAgreementSet } from './parse';

function thrown(fn: () => unknown): AgreementInvalidError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AgreementInvalidError) return error;
    throw error;
  }
  throw new Error('expected AgreementInvalidError');
}

describe(parseAgreementFile.name, () => {
  const agreement = agreementFixture();

  it('reads the same agreement from YAML and from JSON', () => {
    expect(parseAgreementFile('police.yaml', stringify(agreement))).toEqual(agreement);
    expect(parseAgreementFile('police.json', JSON.stringify(agreement))).toEqual(agreement);
  });

  it('keeps unquoted YAML dates as strings', () => {
    const text = stringify(agreement)
      .replace("effectiveFrom: '2026-04-01'", 'effectiveFrom: 2026-04-01')
      .replace('effectiveFrom: "2026-04-01"', 'effectiveFrom: 2026-04-01');
    expect(text).toContain('effectiveFrom: 2026-04-01');
    expect(parseAgreementFile('a.yml', text).effectiveFrom).toBe('2026-04-01');
  });

  it('lists every validation problem with its file and dotted field path', () => {
    const broken = structuredClone(agreement) as unknown as Record<string, unknown> & {
      purposes: Record<string, { categories: Record<string, { fields: Record<string, unknown> }> }>;
    };
    broken.retentionDays = -1;
    broken.purposes['mash-triage'].categories.occurrences.fields.location = { mask: 'blur' };
    const sut = thrown(() =>
      parseAgreementFile('deploy/agreements/demo/police.yaml', stringify(broken)),
    );
    expect(sut.code).toBe('POLICY.AGREEMENT_INVALID');
    expect(sut.problems.map((p) => [p.file, p.field])).toEqual([
      ['deploy/agreements/demo/police.yaml', 'retentionDays'],
      [
        'deploy/agreements/demo/police.yaml',
        'purposes.mash-triage.categories.occurrences.fields.location.mask',
      ],
    ]);
    expect(sut.message).toContain(
      'purposes.mash-triage.categories.occurrences.fields.location.mask',
    );
  });

  it('reports YAML syntax errors and duplicate keys', () => {
    expect(thrown(() => parseAgreementFile('a.yaml', 'id: [unclosed')).problems[0]).toEqual(
      expect.objectContaining({
        file: 'a.yaml',
        field: '(root)',
        reason: expect.stringMatching(/^not valid YAML/),
      }),
    );
    const duplicated = `${stringify(agreement)}version: 2\n`;
    expect(thrown(() => parseAgreementFile('a.yaml', duplicated)).problems[0].reason).toMatch(
      /unique|duplicate/i,
    );
  });

  it('reports invalid JSON', () => {
    expect(thrown(() => parseAgreementFile('a.json', '{"id": ')).problems).toEqual([
      expect.objectContaining({
        file: 'a.json',
        field: '(root)',
        reason: expect.stringMatching(/^not valid JSON/),
      }),
    ]);
  });

  it('rejects a document that is not an object', () => {
    expect(thrown(() => parseAgreementFile('a.yaml', '- just\n- a list\n')).problems).toEqual([
      expect.objectContaining({ field: '(root)' }),
    ]);
  });
});

describe(parseAgreementSet.name, () => {
  const agreement = agreementFixture();
  const file = (name: string, value: unknown) => ({ name, text: JSON.stringify(value) });

  it('returns every agreement when the set is consistent', () => {
    const sut = parseAgreementSet([
      file('v1.json', agreement),
      file('v2.json', { ...agreement, version: 2 }),
    ]);
    expect(sut.map((a) => a.version)).toEqual([1, 2]);
  });

  it('reports problems from every file, duplicate versions and ids that change owner, all at once', () => {
    const sut = thrown(() =>
      parseAgreementSet([
        file('a.json', agreement),
        file('b.json', agreement),
        file('c.json', { ...agreement, version: 3, agency: 'health' }),
        file('d.json', { ...agreement, version: 0 }),
      ]),
    );
    expect(sut.problems.map((p) => [p.file, p.field])).toEqual([
      ['d.json', 'version'],
      ['b.json', 'version'],
      ['c.json', 'id'],
    ]);
  });
});
