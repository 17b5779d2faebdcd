import type { FindResult } from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import type { DataSource } from 'typeorm';

/*
 * Exact, deterministic matching for now: NHS number, else normalised name + date of birth.
 * Kept apart from the connector so a probabilistic matcher can replace it.
 */

interface Ref {
  ref: string;
}

/** `943 476 5919` and `943-476-5919` are the same NHS number. */
export function normaliseNhsNumber(value: string): string {
  return value.replace(/[\s-]/g, '');
}

export async function findHealthSubject(
  db: DataSource,
  criteria: SubjectCriteria,
): Promise<FindResult> {
  const nhsNumber = criteria.identifiers?.nhsNumber;
  if (nhsNumber) {
    const rows: Ref[] = await db.query(
      `SELECT patient_id::text AS ref FROM patient WHERE nhs_number = $1 LIMIT 2`,
      [normaliseNhsNumber(nhsNumber)],
    );
    if (rows.length === 1) {
      return {
        status: 'match',
        subjectRef: rows[0].ref,
        confidence: 1,
        method: 'nhs-number',
        evidence: [{ field: 'nhsNumber', outcome: 'agree' }],
      };
    }
  }
  const rows: Ref[] = await db.query(
    `SELECT patient_id::text AS ref FROM patient
      WHERE lower(trim(family_name)) = $1 AND lower(trim(given_name)) = $2 AND birth_date = $3::date
      LIMIT 2`,
    [normaliseName(criteria.familyName), normaliseName(criteria.givenName), criteria.dateOfBirth],
  );
  return nameDobResult(rows);
}

export function normaliseName(value: string): string {
  return value.trim().toLowerCase();
}

const NAME_DOB_EVIDENCE = [
  { field: 'givenName', outcome: 'agree' as const },
  { field: 'familyName', outcome: 'agree' as const },
  { field: 'dateOfBirth', outcome: 'agree' as const },
];

/** One record agrees: a match. Several (twins recorded alike, duplicate records): never guess. */
export function nameDobResult(rows: Ref[]): FindResult {
  if (rows.length === 1) {
    return {
      status: 'match',
      subjectRef: rows[0].ref,
      confidence: 0.9,
      method: 'name-dob',
      evidence: NAME_DOB_EVIDENCE,
    };
  }
  if (rows.length > 1) {
    return {
      status: 'possible-match',
      confidence: 0.5,
      method: 'name-dob',
      evidence: NAME_DOB_EVIDENCE,
    };
  }
  return { status: 'no-match', confidence: 0, method: 'name-dob' };
}
