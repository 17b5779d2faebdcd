import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { agreementHash, parseAgreementFile } from '@mash/policy';
import { main, validateFiles } from './agreements';

const DEMO = resolve(__dirname, '../deploy/agreements/demo');

describe('agreements CLI', () => {
  const police = readFileSync(join(DEMO, 'police.yaml'), 'utf8');
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'agreements-cli-'));
  });

  it('accepts the demo directory and reports each version with the hash the broker computes', () => {
    const sut = validateFiles([DEMO]);
    expect(sut.problems).toEqual([]);
    expect(sut.valid.map((v) => v.agency).sort()).toEqual([
      'education',
      'health',
      'police',
      'social-care',
    ]);
    const policeVersion = sut.valid.find((v) => v.agency === 'police')!;
    expect(policeVersion.hash).toBe(agreementHash(parseAgreementFile('police.yaml', police)));
  });

  it('names the file, the field and the reason for every problem', () => {
    const bad = join(dir, 'police.yaml');
    writeFileSync(
      bad,
      police
        .replace('{ mask: partial-postcode }', '{ mask: postcode-only }')
        .replace('retentionDays: 180', 'retentionDays: 0'),
    );
    const sut = validateFiles([bad]);
    expect(sut.valid).toEqual([]);
    expect(sut.problems.map((p) => [p.file, p.field])).toEqual(
      expect.arrayContaining([
        [bad, 'retentionDays'],
        [bad, 'purposes.mash-triage.categories.occurrences.fields.location.mask'],
      ]),
    );
    expect(sut.problems.every((p) => p.reason.length > 0)).toBe(true);
  });

  it('refuses the same id and version defined in two files, and an unreadable file', () => {
    const copy = join(dir, 'police-copy.json');
    writeFileSync(copy, JSON.stringify(parseAgreementFile('police.yaml', police)));
    const missing = join(dir, 'nope.yaml');
    const sut = validateFiles([join(DEMO, 'police.yaml'), copy, missing]);
    expect(sut.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ file: copy, field: 'version' }),
        expect.objectContaining({ file: missing, field: '(root)' }),
      ]),
    );
  });

  it('exits 1 on a bad file and 0 on good ones', () => {
    const bad = join(dir, 'broken.yaml');
    writeFileSync(bad, 'id: [unclosed');
    const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      expect(main(['validate', bad])).toBe(1);
      expect(String(out.mock.calls[0][0])).toMatch(/^.*broken\.yaml: \(root\): not valid YAML/);
      expect(main(['validate', DEMO])).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
