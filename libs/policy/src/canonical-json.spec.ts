import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** The `canonicalize` package is ESM-only, so it runs in a child Node process for the comparison. */
function canonicalizeWithPackage(values: unknown[]): string[] {
  const script = `import canonicalize from 'canonicalize';
    let input = ''; process.stdin.on('data', (d) => (input += d));
    process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(input).map((v) => canonicalize(v)))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(values),
    cwd: process.cwd(),
  });
  return JSON.parse(out.toString()) as string[];
}

describe(canonicalJson.name, () => {
  it('sorts keys by UTF-16 code units and serialises numbers as ECMAScript does (RFC 8785 examples)', () => {
    expect(canonicalJson({ b: 1, a: [1e21, 1e-7, 0.000001, -0, 4.5, 333333333.3333333] })).toBe(
      '{"a":[1e+21,1e-7,0.000001,0,4.5,333333333.3333333],"b":1}',
    );
    expect(canonicalJson({ '\u20ac': 1, '\r': 2, '\ud83d\ude00': 3, '\u00f6': 4, '1': 5 })).toBe(
      '{"\\r":2,"1":5,"ö":4,"€":1,"😀":3}',
    );
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
  });

  it('refuses values JSON cannot represent canonically', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow(TypeError);
    expect(() => canonicalJson('\ud800')).toThrow(TypeError);
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => canonicalJson(loop)).toThrow(TypeError);
  });

  it('produces exactly what the canonicalize package produces', () => {
    const values = fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 300, seed: 8785 });
    const expected = canonicalizeWithPackage(values);
    expect(values.map((v) => canonicalJson(v))).toEqual(expected);
  });
});
