/**
 * RFC 8785 (JSON Canonicalization Scheme) serialisation, byte-for-byte the same as the
 * `canonicalize` package. That package ships as ES module only (its `exports` has only an
 * `import` condition), so CommonJS code — this repo, jest — cannot `require` it; this copy keeps
 * its semantics (keys sorted by UTF-16 code units, ECMAScript number formatting, undefined members
 * dropped) and the unit test checks both agree on random input.
 */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue | undefined };

export function canonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite numbers cannot be canonicalised');
      return JSON.stringify(value);
    case 'string':
      if (hasLoneSurrogate(value)) throw new TypeError('lone surrogates cannot be canonicalised');
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      // undefined, functions, symbols, bigint at top level: mirror JSON.stringify (bigint throws).
      return JSON.stringify(value) ?? 'null';
  }
  const obj = value as object;
  if (seen.has(obj)) throw new TypeError('circular reference');
  const withToJson = obj as { toJSON?: () => unknown };
  if (typeof withToJson.toJSON === 'function') {
    seen.add(obj);
    const out = serialise(withToJson.toJSON(), seen);
    seen.delete(obj);
    return out;
  }
  seen.add(obj);
  let out: string;
  if (Array.isArray(obj)) {
    out = `[${obj.map((v: unknown) => serialise(v === undefined || typeof v === 'symbol' ? null : v, seen)).join(',')}]`;
  } else {
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort()) {
      const v = record[key];
      if (v === undefined || typeof v === 'symbol') continue;
      parts.push(`${serialise(key, seen)}:${serialise(v, seen)}`);
    }
    out = `{${parts.join(',')}}`;
  }
  seen.delete(obj);
  return out;
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
