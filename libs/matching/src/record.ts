import { IDENTIFIER_KINDS, type IdentifierKind, isVerifiedIdentifier } from './identifiers';
import {
  addressTokens,
  type DateFormat,
  nameTokens,
  normaliseIdentifier,
  normaliseName,
  normaliseSex,
  parseDate,
  type ParsedDate,
  type ParsedPostcode,
  parsePostcode,
  type Sex,
} from './normalise';
import { nysiis } from './strings';

/**
 * What the matcher compares: the broker's search criteria (`SubjectCriteria`) fit as they are, and
 * so does a row read from an agency's system. Every field may be absent.
 */
export interface MatchSubject {
  id?: string;
  givenName?: string | null;
  familyName?: string | null;
  /** `YYYY-MM-DD` by default; see `PrepareOptions.dateFormat`. */
  dateOfBirth?: string | null;
  sex?: string | null;
  postcode?: string | null;
  address?: string | null;
  identifiers?: Partial<Record<IdentifierKind, string | null | undefined>>;
  /**
   * Family names the person was known by before (a query's criteria only): `queryVariants`
   * tries each in place of `familyName`, as a record held under the former name would read.
   */
  previousFamilyNames?: readonly string[] | null;
}

export interface PreparedName {
  /** Normalised with spaces between tokens. */
  text: string;
  /** Normalised without spaces, so `Mc Donald` equals `McDonald`. */
  compact: string;
  tokens: string[];
  /** NYSIIS of the compact form. */
  phonetic: string;
}

export interface PreparedIdentifier {
  value: string;
  verified: boolean;
}

/** A subject normalised once, so that comparing it with many candidates stays cheap. */
export interface PreparedRecord {
  readonly prepared: true;
  id?: string;
  given?: PreparedName;
  family?: PreparedName;
  dob?: ParsedDate;
  sex?: Sex;
  postcode?: ParsedPostcode;
  address?: { tokens: string[]; key: string };
  identifiers: Partial<Record<IdentifierKind, PreparedIdentifier>>;
}

export interface PrepareOptions {
  dateFormat?: DateFormat;
}

function prepareName(value: string | null | undefined): PreparedName | undefined {
  const text = normaliseName(value);
  if (text.length === 0) return undefined;
  const compact = text.replace(/ /g, '');
  return { text, compact, tokens: nameTokens(text), phonetic: nysiis(compact) };
}

export function prepare(subject: MatchSubject, options: PrepareOptions = {}): PreparedRecord {
  const identifiers: PreparedRecord['identifiers'] = {};
  for (const kind of IDENTIFIER_KINDS) {
    const value = normaliseIdentifier(subject.identifiers?.[kind]);
    if (value.length > 0)
      identifiers[kind] = { value, verified: isVerifiedIdentifier(kind, value) };
  }
  const tokens = addressTokens(subject.address);
  return {
    prepared: true,
    id: subject.id,
    given: prepareName(subject.givenName),
    family: prepareName(subject.familyName),
    dob: parseDate(subject.dateOfBirth, options.dateFormat),
    sex: normaliseSex(subject.sex),
    postcode: parsePostcode(subject.postcode),
    address: tokens.length > 0 ? { tokens, key: [...tokens].sort().join(' ') } : undefined,
    identifiers,
  };
}

/** Whether a value is an already prepared record rather than a raw subject. */
export function isPrepared(value: MatchSubject | PreparedRecord): value is PreparedRecord {
  return (value as PreparedRecord).prepared === true;
}

/**
 * The ways a query may be written in an agency's records: as given, then with each previous
 * family name in place of the current one (duplicates and blanks left out). An agency whose
 * records predate a change of name finds the person under the name it holds.
 */
export function queryVariants(subject: MatchSubject): MatchSubject[] {
  const { previousFamilyNames, ...current } = subject;
  const seen = new Set([normaliseName(current.familyName)]);
  const variants: MatchSubject[] = [current];
  for (const name of previousFamilyNames ?? []) {
    const key = normaliseName(name);
    if (key.length === 0 || seen.has(key)) continue;
    seen.add(key);
    variants.push({ ...current, familyName: name });
  }
  return variants;
}
