import { normaliseIdentifier } from './normalise';

/** Kinds of identifier the matcher knows; `other` is any further identifier without a check digit. */
export const IDENTIFIER_KINDS = ['nhsNumber', 'upn', 'pncId', 'laChildId', 'other'] as const;
export type IdentifierKind = (typeof IDENTIFIER_KINDS)[number];

/** A source of uniform random numbers in [0, 1); pass a seeded one for reproducible data. */
export type Random = () => number;

function nhsCheckDigit(first9: string): number | undefined {
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(first9[i]) * (10 - i);
  const check = 11 - (sum % 11);
  if (check === 11) return 0;
  if (check === 10) return undefined; // no valid number has these nine digits
  return check;
}

/** True for a ten-digit NHS number whose modulus 11 check digit is right (spaces allowed). */
export function isValidNhsNumber(value: string | null | undefined): boolean {
  const v = normaliseIdentifier(value);
  if (!/^\d{10}$/.test(v)) return false;
  const check = nhsCheckDigit(v.slice(0, 9));
  return check !== undefined && check === Number(v[9]);
}

/**
 * A valid NHS number. By default in the 999 range that NHS England reserves for testing, so that
 * synthetic data can never collide with a real patient.
 */
export function generateNhsNumber(
  random: Random = Math.random,
  options: { testRange?: boolean } = {},
): string {
  const testRange = options.testRange ?? true;
  for (;;) {
    let first9 = testRange ? '999' : String(4 + Math.floor(random() * 4));
    while (first9.length < 9) first9 += String(Math.floor(random() * 10));
    const check = nhsCheckDigit(first9);
    if (check !== undefined) return first9 + String(check);
  }
}

/** The 23 check letters of the DfE UPN algorithm (no I, O, S). */
const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

function upnCheckLetter(last12: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const c = last12[i];
    let value: number;
    if (c >= '0' && c <= '9') {
      value = Number(c);
    } else if (i === 11 && UPN_LETTERS.includes(c)) {
      // Only the 13th character (temporary UPNs) may be a letter; it counts as its index.
      value = UPN_LETTERS.indexOf(c);
    } else {
      return undefined;
    }
    sum += value * (i + 2);
  }
  return UPN_LETTERS[sum % 23];
}

/** True for a 13-character Unique Pupil Number whose first character is the right check letter. */
export function isValidUpn(value: string | null | undefined): boolean {
  const v = normaliseIdentifier(value);
  if (v.length !== 13) return false;
  const check = upnCheckLetter(v.slice(1));
  return check !== undefined && check === v[0];
}

/**
 * A valid permanent UPN: check letter, 3-digit LA number, 4-digit establishment number, 2-digit
 * year of allocation and 3-digit serial. `laCode` defaults to a random English LA-like number.
 */
export function generateUpn(
  random: Random = Math.random,
  options: { laCode?: string; year?: number } = {},
): string {
  const digits = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += String(Math.floor(random() * 10));
    return s;
  };
  const la = options.laCode ?? String(201 + Math.floor(random() * 738)).padStart(3, '0');
  const year = String((options.year ?? 2010 + Math.floor(random() * 15)) % 100).padStart(2, '0');
  const body = `${la}${digits(4)}${year}${digits(3)}`;
  return `${upnCheckLetter(body)}${body}`;
}

/** Whether a kind's values carry a check digit that lets the matcher call them verified. */
export function isCheckedKind(kind: IdentifierKind): boolean {
  return kind === 'nhsNumber' || kind === 'upn';
}

/** True when the value is of a checked kind and passes its check; unchecked kinds are never verified. */
export function isVerifiedIdentifier(
  kind: IdentifierKind,
  value: string | null | undefined,
): boolean {
  switch (kind) {
    case 'nhsNumber':
      return isValidNhsNumber(value);
    case 'upn':
      return isValidUpn(value);
    case 'pncId':
    case 'laChildId':
    case 'other':
      return false;
  }
}
