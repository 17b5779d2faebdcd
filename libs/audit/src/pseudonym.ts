import { createHmac, type KeyObject } from 'node:crypto';

/** The identity fields a pseudonym is derived from (a subset of `SubjectCriteria`). */
export interface PseudonymCriteria {
  readonly givenName: string;
  readonly familyName: string;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string;
  readonly identifiers?: { readonly nhsNumber?: string };
}

export interface SubjectPseudonyms {
  /** HMAC of `nhs:<10 digits>`, when the criteria carry a 10-digit NHS number. */
  readonly nhs?: string;
  /** HMAC of `nd:<family>|<given>|<yyyy-mm-dd>`. */
  readonly nameDob: string;
  /** Every token above; pass as `subjectPseudonyms` when appending. */
  readonly tokens: readonly string[];
}

/**
 * Keyed pseudonyms of a subject, so the audit log can say "these events concern the same child"
 * and an auditor holding the partnership's key can search for a child — without the log holding
 * the identity. `key` is the partnership's secret pseudonymisation key (≥ 32 random bytes);
 * different partnerships get unlinkable tokens.
 *
 * Normalisation: names are Unicode NFKC, trimmed, inner whitespace collapsed to one space, lower
 * case; the NHS number keeps its digits only and is used only when exactly 10 remain. Each token is
 * lower-case hex HMAC-SHA256(key, UTF-8 string).
 */
export function subjectPseudonym(
  key: string | Buffer | KeyObject,
  criteria: PseudonymCriteria,
): SubjectPseudonyms {
  const hmac = (text: string): string =>
    createHmac('sha256', key).update(text, 'utf8').digest('hex');
  const nameDob = hmac(
    `nd:${normaliseName(criteria.familyName)}|${normaliseName(criteria.givenName)}|${normaliseDate(criteria.dateOfBirth)}`,
  );
  const nhs =
    criteria.identifiers?.nhsNumber === undefined
      ? undefined
      : nhsPseudonym(key, criteria.identifiers.nhsNumber);
  return nhs === undefined
    ? { nameDob, tokens: [nameDob] }
    : { nhs, nameDob, tokens: [nhs, nameDob] };
}

/**
 * The NHS-number token alone (what an auditor holding only an NHS number can compute), or
 * undefined when the number does not have exactly 10 digits. Equal to `subjectPseudonym(...).nhs`.
 */
export function nhsPseudonym(
  key: string | Buffer | KeyObject,
  nhsNumber: string,
): string | undefined {
  const digits = nhsNumber.replace(/\D/g, '');
  return digits.length === 10
    ? createHmac('sha256', key).update(`nhs:${digits}`, 'utf8').digest('hex')
    : undefined;
}

function normaliseName(name: string): string {
  return name.normalize('NFKC').trim().replace(/\s+/g, ' ').toLowerCase();
}

function normaliseDate(date: string): string {
  const trimmed = date.trim();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(trimmed)) throw new TypeError('dateOfBirth must be YYYY-MM-DD');
  return trimmed;
}
