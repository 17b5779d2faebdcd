/** String similarity and phonetic codes used by the comparison levels. Inputs are expected normalised. */

/** Jaro similarity in [0, 1]. */
export function jaro(a: string, b: string): number {
  if (a === b) return a.length === 0 ? 1 : 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  const window = Math.max(0, Math.floor(Math.max(la, lb) / 2) - 1);
  const aMatched = new Uint8Array(la);
  const bMatched = new Uint8Array(lb);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (bMatched[j] || a.charCodeAt(i) !== b.charCodeAt(j)) continue;
      aMatched[i] = 1;
      bMatched[j] = 1;
      matches++;
      break;
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (!aMatched[i]) continue;
    while (!bMatched[k]) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) transpositions++;
    k++;
  }
  const t = transpositions / 2;
  return (matches / la + matches / lb + (matches - t) / matches) / 3;
}

/** Jaro-Winkler similarity (prefix scale 0.1, prefix up to 4 characters). */
export function jaroWinkler(a: string, b: string, prefixScale = 0.1): number {
  const j = jaro(a, b);
  let prefix = 0;
  const max = Math.min(4, a.length, b.length);
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * prefixScale * (1 - j);
}

/** Levenshtein edit distance (insert, delete, substitute). */
export function levenshtein(a: string, b: string): number {
  if (a === b) return 0;
  if (a.length === 0) return b.length;
  if (b.length === 0) return a.length;
  let prev = new Array<number>(b.length + 1);
  let curr = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    curr[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j] + 1, curr[j - 1] + 1, prev[j - 1] + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[b.length];
}

/**
 * Damerau-Levenshtein distance, optimal string alignment variant: also counts a transposition of
 * two adjacent characters as one edit (the commonest keying error in dates and identifiers).
 */
export function damerauLevenshtein(a: string, b: string): number {
  if (a === b) return 0;
  const la = a.length;
  const lb = b.length;
  if (la === 0) return lb;
  if (lb === 0) return la;
  const d: number[][] = [];
  for (let i = 0; i <= la; i++) {
    d.push(new Array<number>(lb + 1).fill(0));
    d[i][0] = i;
  }
  for (let j = 0; j <= lb; j++) d[0][j] = j;
  for (let i = 1; i <= la; i++) {
    for (let j = 1; j <= lb; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        v = Math.min(v, d[i - 2][j - 2] + 1);
      }
      d[i][j] = v;
    }
  }
  return d[la][lb];
}

const isVowel = (c: string | undefined): boolean =>
  c === 'A' || c === 'E' || c === 'I' || c === 'O' || c === 'U';

/**
 * NYSIIS phonetic code (New York State Identification and Intelligence System, Taft 1970),
 * designed for surnames and more discriminating than Soundex. Letters other than A-Z are ignored.
 * `maxLength` 0 keeps the full code; the original truncates to 6.
 */
export function nysiis(input: string, maxLength = 6): string {
  let name = input.toUpperCase().replace(/[^A-Z]/g, '');
  if (name.length === 0) return '';

  const prefixes: Array<[string, string]> = [
    ['MAC', 'MCC'],
    ['KN', 'NN'],
    ['K', 'C'],
    ['PH', 'FF'],
    ['PF', 'FF'],
    ['SCH', 'SSS'],
  ];
  for (const [from, to] of prefixes) {
    if (name.startsWith(from)) {
      name = to + name.slice(from.length);
      break;
    }
  }
  const suffixes: Array<[string, string]> = [
    ['EE', 'Y'],
    ['IE', 'Y'],
    ['DT', 'D'],
    ['RT', 'D'],
    ['RD', 'D'],
    ['NT', 'D'],
    ['ND', 'D'],
  ];
  for (const [from, to] of suffixes) {
    if (name.endsWith(from)) {
      name = name.slice(0, -from.length) + to;
      break;
    }
  }

  const chars = name.split('');
  let key = chars[0];
  let i = 1;
  while (i < chars.length) {
    const c = chars[i];
    let replacement: string[];
    if (c === 'E' && chars[i + 1] === 'V') {
      replacement = ['A', 'F'];
    } else if (isVowel(c)) {
      replacement = ['A'];
    } else if (c === 'Q') {
      replacement = ['G'];
    } else if (c === 'Z') {
      replacement = ['S'];
    } else if (c === 'M') {
      replacement = ['N'];
    } else if (c === 'K') {
      replacement = chars[i + 1] === 'N' ? ['N'] : ['C'];
    } else if (c === 'S' && chars[i + 1] === 'C' && chars[i + 2] === 'H') {
      replacement = ['S', 'S', 'S'];
    } else if (c === 'P' && chars[i + 1] === 'H') {
      replacement = ['F', 'F'];
    } else if (
      c === 'H' &&
      (!isVowel(chars[i - 1]) || (i + 1 < chars.length && !isVowel(chars[i + 1])))
    ) {
      replacement = [chars[i - 1]];
    } else if (c === 'W' && isVowel(chars[i - 1])) {
      replacement = [chars[i - 1]];
    } else {
      replacement = [c];
    }
    // The transformed characters replace the originals so later rules see them.
    for (let k = 0; k < replacement.length; k++) chars[i + k] = replacement[k];
    const out = chars[i];
    if (out !== key[key.length - 1]) key += out;
    i++;
  }

  if (key.length > 1 && key.endsWith('S')) key = key.slice(0, -1);
  if (key.length > 1 && key.endsWith('AY')) key = key.slice(0, -2) + 'Y';
  if (key.length > 1 && key.endsWith('A')) key = key.slice(0, -1);
  return maxLength > 0 ? key.slice(0, maxLength) : key;
}

const SOUNDEX_CODES: Record<string, string> = {
  B: '1',
  F: '1',
  P: '1',
  V: '1',
  C: '2',
  G: '2',
  J: '2',
  K: '2',
  Q: '2',
  S: '2',
  X: '2',
  Z: '2',
  D: '3',
  T: '3',
  L: '4',
  M: '5',
  N: '5',
  R: '6',
};

/** American Soundex (H and W do not separate letters with the same code). */
export function soundex(input: string): string {
  const name = input.toUpperCase().replace(/[^A-Z]/g, '');
  if (name.length === 0) return '';
  let code = name[0];
  let last = SOUNDEX_CODES[name[0]] ?? '';
  for (let i = 1; i < name.length && code.length < 4; i++) {
    const c = name[i];
    const digit = SOUNDEX_CODES[c];
    if (digit !== undefined) {
      if (digit !== last) code += digit;
      last = digit;
    } else if (c !== 'H' && c !== 'W') {
      last = '';
    }
  }
  return code.padEnd(4, '0');
}

/**
 * Whether two strings are at most one Damerau edit apart (one insertion, deletion, substitution
 * or adjacent transposition). Linear time: the hot path of date, postcode and identifier levels.
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // substitution
    return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2); // transposition
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
