import { generateNhsNumber as matchingNhsNumber, generateUpn as matchingUpn } from '@mash/matching';
import type { Rng } from './rng';

/*
 * Identifiers for the synthetic population. NHS numbers and permanent UPNs come from
 * `@mash/matching` (NHS numbers from the 999 range kept for test data, so never a real
 * patient's); temporary UPNs and PNC ids, which it does not make, are made here.
 */

export function generateNhsNumber(rng: Rng): string {
  return matchingNhsNumber(() => rng.next());
}

/** A permanent UPN allocated by this LA in the given year. */
export function generateUpn(rng: Rng, la: string, year: number): string {
  return matchingUpn(() => rng.next(), { laCode: la, year });
}

const UPN_LETTERS = 'ABCDEFGHJKLMNPQRTUVWXYZ';

/** DfE check letter: weights 2..13 on characters 2..13 (a letter in position 13 counts as its index), mod 23. */
export function upnCheckLetter(body: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const ch = body[i];
    const value = /\d/.test(ch) ? Number(ch) : UPN_LETTERS.indexOf(ch);
    sum += value * (i + 2);
  }
  return UPN_LETTERS[sum % 23];
}

/** A temporary UPN, given while a pupil's permanent one is unknown: the 13th character is a letter. */
export function generateTemporaryUpn(rng: Rng, la: string, estab: string, year: number): string {
  const body = `${la}${estab}${String(year % 100).padStart(2, '0')}${String(rng.int(0, 99)).padStart(2, '0')}${rng.pick([...UPN_LETTERS])}`;
  return `${upnCheckLetter(body)}${body}`;
}

const PNC_LETTERS = 'ZABCDEFGHJKLMNPQRTUVWXY';

/** PNC id `YYYY/NNNNNNNL`: the check letter is (two-digit year and serial) mod 23. */
export function generatePncId(rng: Rng, year: number): string {
  const serial = rng.int(1, 9_999_999);
  const yy = year % 100;
  const check = PNC_LETTERS[(yy * 10_000_000 + serial) % 23];
  return `${year}/${String(serial).padStart(7, '0')}${check}`;
}

/** Draws until the set does not already hold the value. */
export function unique(seen: Set<string>, make: () => string): string {
  for (;;) {
    const value = make();
    if (!seen.has(value)) {
      seen.add(value);
      return value;
    }
  }
}
