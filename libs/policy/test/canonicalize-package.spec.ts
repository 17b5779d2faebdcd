import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import fc from 'fast-check';
import { canonicalJson } from '@mash/policy';

/** The `canonicalize` package is ESM-only (no `require` export), so it runs in a child Node process for the comparison. */
function canonicalizeWithPackage(values: unknown[]): string[] {
  const script = `import canonicalize from 'canonicalize';
    let input = ''; process.stdin.on('data', (d) => (input += d));
    process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map((v) => canonicalize(v)))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(values),
    cwd: join(__dirname, '..', '..', '..'),
  });
  return JSON.parse(out.toString()) as string[];
}

describe(canonicalJson.name, () => {
  it('produces exactly what the canonicalize package produces', () => {
    const values = fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 300, seed: 8785 });
    const expected = canonicalizeWithPackage(values);
    expect(values.map((v) => canonicalJson(v))).toEqual(expected);
  });
});
