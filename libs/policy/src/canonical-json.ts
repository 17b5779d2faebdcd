/**
 * RFC 8785 (JCS) canonical JSON, the same algorithm as the `canonicalize` package. That package ships
 * as an ES module with only an `import` export, which this CommonJS code base (and jest) cannot
 * `require`; libs/policy/test/canonicalize-package.spec.ts checks this copy against the package byte for byte.
 * Numbers use ECMAScript's Number-to-string, which is what RFC 8785 §3.2.2.3 prescribes; object keys
 * sort by UTF-16 code units, which is what Array.prototype.sort does.
 */
export function canonicalJson(value: unknown): string {
  return serialise(value, new Set());
}

function serialise(value: unknown, seen: Set<object>): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value))
      throw new TypeError('canonical JSON cannot represent NaN or Infinity');
    return JSON.stringify(value);
  }
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value))
      throw new TypeError('canonical JSON cannot represent a lone surrogate');
    return JSON.stringify(value);
  }
  if (typeof value !== 'object')
    throw new TypeError(`canonical JSON cannot represent a ${typeof value}`);
  const obj = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (seen.has(obj)) throw new TypeError('canonical JSON cannot represent a circular reference');
  seen.add(obj);
  let out: string;
  if (typeof obj.toJSON === 'function') {
    out = serialise(obj.toJSON(), seen);
  } else if (Array.isArray(obj)) {
    out = `[${obj.map((v: unknown) => (v === undefined || typeof v === 'symbol' || typeof v === 'function' ? 'null' : serialise(v, seen))).join(',')}]`;
  } else {
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v === undefined || typeof v === 'symbol' || typeof v === 'function') continue;
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
