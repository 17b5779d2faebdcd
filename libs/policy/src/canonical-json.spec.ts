import { canonicalJson } from './canonical-json';

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
});
