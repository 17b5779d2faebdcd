import type { FindResult } from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import type { DataSource } from 'typeorm';

/*
 * Exact, deterministic matching for now: LAchildID, then UPN (current or former), else
 * normalised name + date of birth. Kept apart from the connector so a probabilistic matcher
 * can replace it.
 */

interface Ref {
  ref: string;
}

export function normaliseIdentifier(value: string): string {
  return value.trim().toUpperCase();
}

export async function findSocialCareSubject(
  db: DataSource,
  criteria: SubjectCriteria,
): Promise<FindResult> {
  const laChildId = criteria.identifiers?.laChildId;
  if (laChildId) {
    const rows: Ref[] = await db.query(
      `SELECT la_child_id AS ref FROM child WHERE la_child_id = $1`,
      [normaliseIdentifier(laChildId)],
    );
    if (rows.length === 1) {
      return {
        status: 'match',
        subjectRef: rows[0].ref,
        confidence: 1,
        method: 'la-child-id',
        evidence: [{ field: 'laChildId', outcome: 'agree' }],
      };
    }
  }
  const upn = criteria.identifiers?.upn;
  if (upn) {
    for (const [column, method] of [
      ['upn', 'upn'],
      ['former_upn', 'former-upn'],
    ] as const) {
      const rows: Ref[] = await db.query(
        `SELECT la_child_id AS ref FROM child WHERE ${column} = $1 LIMIT 2`,
        [normaliseIdentifier(upn)],
      );
      if (rows.length === 1) {
        return {
          status: 'match',
          subjectRef: rows[0].ref,
          confidence: 1,
          method,
          evidence: [{ field: 'upn', outcome: 'agree' }],
        };
      }
    }
  }
  const rows: Ref[] = await db.query(
    `SELECT la_child_id AS ref FROM child
      WHERE lower(trim(surname)) = $1 AND lower(trim(forename)) = $2 AND person_birth_date = $3::date
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
