import type { FindResult } from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import type { DataSource } from 'typeorm';

/*
 * Exact, deterministic matching for now: PNC id, else normalised name + date of birth.
 * Kept apart from the connector so a probabilistic matcher can replace it.
 */

interface Ref {
  ref: string;
}

export function normalisePncId(value: string): string {
  return value.trim().toUpperCase();
}

export async function findPoliceSubject(
  db: DataSource,
  criteria: SubjectCriteria,
): Promise<FindResult> {
  const pncId = criteria.identifiers?.pncId;
  if (pncId) {
    const rows: Ref[] = await db.query(
      `SELECT person_id::text AS ref FROM person WHERE pnc_id = $1 LIMIT 2`,
      [normalisePncId(pncId)],
    );
    if (rows.length === 1) {
      return {
        status: 'match',
        subjectRef: rows[0].ref,
        confidence: 1,
        method: 'pnc-id',
        evidence: [{ field: 'pncId', outcome: 'agree' }],
      };
    }
  }
  const rows: Ref[] = await db.query(
    `SELECT person_id::text AS ref FROM person
      WHERE lower(trim(surname)) = $1 AND lower(trim(forename)) = $2 AND date_of_birth = $3::date
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
