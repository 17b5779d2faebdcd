/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation, byte-for-byte the same as the
 * `canonicalize` package. That package ships as ES module only (its `exports` has only an
 * `import` condition), so CommonJS code — this repo, jest — cannot `require` it; this copy keeps
 * its semantics (keys sorted by UTF-16 code units, ECMAScript number formatting, undefined members
 * dropped) and the unit test checks both agree on random input.
 */
export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

export function canonicalJson(value: unknown): string {
  return serialise(value, 0);
}

/** Nesting limit; also how a circular structure is caught without a visited set. */
const MAX_DEPTH = 500;
const SURROGATE = /[\uD800-\uDFFF]/;

function serialise(value: unknown, depth: number): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      if (SURROGATE.test(value) && hasLoneSurrogate(value))
        throw new TypeError('lone surrogates cannot be canonicalised');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value))
        throw new TypeError('non-finite numbers cannot be canonicalised');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    case 'bigint':
      throw new TypeError('BigInt cannot be canonicalised');
    case 'undefined':
    case 'function':
    case 'symbol':
      // Only reachable at top level (members and elements are filtered by the callers), where the
      // package returns undefined: there is no JSON text to hash, so refuse.
      throw new TypeError('not a JSON value');
  }
  if (depth > MAX_DEPTH) throw new TypeError('circular or too deeply nested structure');
  const withToJson = value as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') return serialise(withToJson.toJSON(), depth + 1);
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (i > 0) out += ',';
      out += serialise(v === undefined || typeof v === 'symbol' ? null : v, depth + 1);
    }
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const v = record[key];
    if (v === undefined || typeof v === 'symbol') continue;
    out += `${first ? '' : ','}${serialise(key, depth)}:${serialise(v, depth + 1)}`;
    first = false;
  }
  return `${out}}`;
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return true;
    }
  }
  return false;
}
