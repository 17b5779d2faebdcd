import type { MatchSubject, Queryable, SourceCandidate } from '@mash/matching';

/** The patient fields the matcher reads, by entity property name (seed rows have this shape too). */
export interface HealthIdentityRow {
  patientId: string;
  givenName: string;
  familyName: string;
  birthDate: string;
  gender: string;
  addressLine: string | null;
  addressPostcode: string | null;
  nhsNumber: string | null;
}

export function healthCandidate(row: HealthIdentityRow): SourceCandidate {
  const subject: MatchSubject = {
    givenName: row.givenName,
    familyName: row.familyName,
    dateOfBirth: row.birthDate,
    sex: row.gender,
    postcode: row.addressPostcode,
    address: row.addressLine,
    identifiers: { nhsNumber: row.nhsNumber },
  };
  return { ref: row.patientId, variants: [subject] };
}

export async function loadHealthCandidates(
  db: Queryable,
  refs: string[],
): Promise<SourceCandidate[]> {
  const rows = (await db.query(
    `SELECT patient_id::text AS "patientId", given_name AS "givenName", family_name AS "familyName",
            to_char(birth_date, 'YYYY-MM-DD') AS "birthDate", gender, address_line AS "addressLine",
            address_postcode AS "addressPostcode", nhs_number AS "nhsNumber"
       FROM patient WHERE patient_id = ANY($1::uuid[])`,
    [refs],
  )) as HealthIdentityRow[];
  return rows.map(healthCandidate);
}
