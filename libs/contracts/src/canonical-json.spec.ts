import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

/** The `canonicalize` package is ES-module only, so it runs in a child process. */
function canonicalizePackage(values: unknown[]): string[] {
  const script = `import c from 'canonicalize'; let s = ''; process.stdin.on('data', (d) => (s += d));
    process.stdin.on('end', () => process.stdout.write(JSON.stringify(JSON.parse(s).map((v) => c(v)))));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(values),
    cwd: __dirname,
  });
  return JSON.parse(out.toString('utf8')) as string[];
}

describe(canonicalJson.name, () => {
  it('agrees with the canonicalize package on random JSON', () => {
    const values = fc.sample(fc.jsonValue({ maxDepth: 4 }), { numRuns: 300, seed: 8785 });
    // Compare on what survives a JSON round trip (the package sees the same parsed values).
    const parsed = values.map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    expect(parsed.map((v) => canonicalJson(v))).toEqual(canonicalizePackage(parsed));
  });

  it('formats numbers as RFC 8785 requires', () => {
    // The RFC's own input literals, imprecise on purpose.
    const sut = canonicalJson({
      // eslint-disable-next-line no-loss-of-precision
      numbers: [333333333.33333329, 1e30, 4.5, 2e-3, 0.000000000000000000000000001, -0],
    });
    expect(sut).toBe('{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27,0]}');
  });

  it('sorts member names by UTF-16 code units', () => {
    const sut = canonicalJson({
      '\u20ac': 1,
      '\r': 2,
      '\ufb33': 3,
      '1': 4,
      '\ud83d\ude00': 5,
      '\u0080': 6,
      '\u00f6': 7,
    });
    expect(sut).toBe(
      '{"\\r":2,"1":4,"\u0080":6,"\u00f6":7,"\u20ac":1,"\ud83d\ude00":5,"\ufb33":3}',
    );
  });

  it('drops undefined members and refuses what has no JSON form', () => {
    expect(canonicalJson({ b: undefined, a: [undefined, 1] })).toBe('{"a":[null,1]}');
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
    expect(() => canonicalJson('\ud800x')).toThrow(TypeError);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => canonicalJson(cyclic)).toThrow(TypeError);
  });
});
