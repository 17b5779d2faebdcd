import { IDENTIFIER_KINDS, type IdentifierKind } from './identifiers';
import { areNicknames } from './nicknames';
import { swapDayMonth, type ParsedDate, type ParsedPostcode } from './normalise';
import type { PreparedName, PreparedRecord } from './record';
import { jaroWinkler, withinOneEdit } from './strings';

/** Comparison levels per field, best agreement first; the last level is always full disagreement. */
export const FIELD_LEVELS = {
  givenName: ['exact', 'close', 'fuzzy', 'disagree'],
  familyName: ['exact', 'close', 'fuzzy', 'disagree'],
  dateOfBirth: ['exact', 'day-month-swapped', 'one-edit', 'year-month', 'year', 'disagree'],
  sex: ['exact', 'disagree'],
  postcode: ['exact', 'sector', 'district', 'one-edit', 'disagree'],
  address: ['exact', 'most-tokens', 'some-tokens', 'disagree'],
  nhsNumber: ['exact', 'one-edit', 'disagree'],
  upn: ['exact', 'one-edit', 'disagree'],
  pncId: ['exact', 'one-edit', 'disagree'],
  laChildId: ['exact', 'one-edit', 'disagree'],
  other: ['exact', 'one-edit', 'disagree'],
} as const satisfies Record<string, readonly string[]>;

export type FieldName = keyof typeof FIELD_LEVELS;
export const FIELD_NAMES = Object.keys(FIELD_LEVELS) as FieldName[];
export const FIELD_INDEX: Readonly<Record<FieldName, number>> = Object.fromEntries(
  FIELD_NAMES.map((f, i) => [f, i]),
) as Record<FieldName, number>;

/** One level index per field in `FIELD_NAMES` order; -1 where either side is missing. */
export type ComparisonVector = Int8Array;

/** Levels of name agreement, shared by given and family names. */
const NAME_EXACT = 0;
const NAME_CLOSE = 1;
const NAME_FUZZY = 2;
const NAME_DISAGREE = 3;

/** Thresholds on Jaro-Winkler similarity for the `close` and `fuzzy` name levels. */
export const JW_CLOSE = 0.92;
export const JW_FUZZY = 0.8;

export function compareNames(a: PreparedName, b: PreparedName, nicknames: boolean): number {
  if (a.compact === b.compact) return NAME_EXACT;
  const jw = jaroWinkler(a.compact, b.compact);
  if (jw >= JW_CLOSE) return NAME_CLOSE;
  let fuzzy = jw >= JW_FUZZY || a.phonetic === b.phonetic;
  // Token-level agreement: a middle name, a double-barrelled surname, or a diminutive.
  let common = 0;
  for (const ta of a.tokens) {
    for (const tb of b.tokens) {
      if (ta === tb || (nicknames && areNicknames(ta, tb))) {
        common++;
        break;
      }
      if (!fuzzy && ta.length > 2 && tb.length > 2 && jaroWinkler(ta, tb) >= JW_CLOSE) fuzzy = true;
    }
  }
  if (common > 0 && common === Math.min(a.tokens.length, b.tokens.length)) return NAME_CLOSE;
  if (common > 0 || fuzzy) return NAME_FUZZY;
  return NAME_DISAGREE;
}

export function compareDates(a: ParsedDate, b: ParsedDate): number {
  if (a.compact === b.compact) return 0;
  const swapped = swapDayMonth(a);
  if (swapped && swapped.compact === b.compact) return 1;
  if (withinOneEdit(a.compact, b.compact)) return 2;
  if (a.year === b.year && a.month === b.month) return 3;
  if (a.year === b.year) return 4;
  return 5;
}

export function comparePostcodes(a: ParsedPostcode, b: ParsedPostcode): number {
  if (a.normalised === b.normalised) return 0;
  if (a.sector !== undefined && a.sector === b.sector) return 1;
  if (a.outward !== undefined && a.outward === b.outward) return 2;
  if (withinOneEdit(a.normalised, b.normalised)) return 3;
  return 4;
}

/**
 * Share of address tokens found on the other side (Dice coefficient), where a word token may
 * match with a small typo (Jaro-Winkler >= 0.9) but numbers must match exactly.
 */
export function addressSimilarity(a: readonly string[], b: readonly string[]): number {
  const used = new Uint8Array(b.length);
  let matched = 0;
  for (const ta of a) {
    const numeric = /\d/.test(ta);
    let best = -1;
    for (let j = 0; j < b.length; j++) {
      if (used[j]) continue;
      const tb = b[j];
      if (ta === tb) {
        best = j;
        break;
      }
      if (!numeric && best < 0 && ta.length >= 4 && tb.length >= 4 && jaroWinkler(ta, tb) >= 0.9)
        best = j;
    }
    if (best >= 0) {
      used[best] = 1;
      matched++;
    }
  }
  return (2 * matched) / (a.length + b.length);
}

export function compareAddresses(
  a: { tokens: string[]; key: string },
  b: { tokens: string[]; key: string },
): number {
  if (a.key === b.key) return 0;
  const s = addressSimilarity(a.tokens, b.tokens);
  if (s >= 0.75) return 1;
  if (s >= 0.45) return 2;
  return 3;
}

export interface NameComparison {
  given: number;
  family: number;
  /** True when the names agree better with given and family name exchanged. */
  swapped: boolean;
}

/**
 * Given and family names, also tried exchanged (forms get them the wrong way round). An exchanged
 * agreement counts one level weaker than the same agreement in place.
 */
export function compareNamePair(a: PreparedRecord, b: PreparedRecord): NameComparison {
  const given = a.given && b.given ? compareNames(a.given, b.given, true) : -1;
  const family = a.family && b.family ? compareNames(a.family, b.family, false) : -1;
  if (a.given && a.family && b.given && b.family && (given > NAME_CLOSE || family > NAME_CLOSE)) {
    const crossGiven = Math.min(NAME_DISAGREE, compareNames(a.given, b.family, false) + 1);
    const crossFamily = Math.min(NAME_DISAGREE, compareNames(a.family, b.given, false) + 1);
    if (
      crossGiven + crossFamily < given + family &&
      crossGiven < NAME_DISAGREE &&
      crossFamily < NAME_DISAGREE
    ) {
      return { given: crossGiven, family: crossFamily, swapped: true };
    }
  }
  return { given, family, swapped: false };
}

function compareIdentifier(a: string, b: string, bothVerified: boolean): number {
  if (a === b) return 0;
  // Two numbers that both pass a check digit never differ by one keying error.
  if (!bothVerified && withinOneEdit(a, b)) return 1;
  return 2;
}

/** The comparison vector of two prepared records. */
export function compareRecords(a: PreparedRecord, b: PreparedRecord): ComparisonVector {
  const v = new Int8Array(FIELD_NAMES.length).fill(-1);
  const names = compareNamePair(a, b);
  v[FIELD_INDEX.givenName] = names.given;
  v[FIELD_INDEX.familyName] = names.family;
  if (a.dob && b.dob) v[FIELD_INDEX.dateOfBirth] = compareDates(a.dob, b.dob);
  if (a.sex && b.sex) v[FIELD_INDEX.sex] = a.sex === b.sex ? 0 : 1;
  if (a.postcode && b.postcode) v[FIELD_INDEX.postcode] = comparePostcodes(a.postcode, b.postcode);
  if (a.address && b.address) v[FIELD_INDEX.address] = compareAddresses(a.address, b.address);
  for (const kind of IDENTIFIER_KINDS) {
    const ia = a.identifiers[kind];
    const ib = b.identifiers[kind];
    if (ia && ib)
      v[FIELD_INDEX[kind]] = compareIdentifier(ia.value, ib.value, ia.verified && ib.verified);
  }
  return v;
}

/** The value whose equality defines each field's `exact` level, for exact u-probabilities. */
export function exactKey(field: FieldName, r: PreparedRecord): string | undefined {
  switch (field) {
    case 'givenName':
      return r.given?.compact;
    case 'familyName':
      return r.family?.compact;
    case 'dateOfBirth':
      return r.dob?.compact;
    case 'sex':
      return r.sex;
    case 'postcode':
      return r.postcode?.normalised;
    case 'address':
      return r.address?.key;
    case 'nhsNumber':
    case 'upn':
    case 'pncId':
    case 'laChildId':
    case 'other':
      return r.identifiers[field as IdentifierKind]?.value;
  }
}
