import type { MatchSubject, Queryable, SourceCandidate } from '@mash/matching';

/** The pupil fields the matcher reads, by entity property name (seed rows have this shape too). */
export interface EducationIdentityRow {
  pupilId: string;
  upn: string | null;
  formerUpn: string | null;
  forename: string;
  surname: string;
  preferredSurname: string | null;
  dob: string;
  gender: string;
  addressLine: string | null;
  postcode: string | null;
}

/**
 * A pupil is held under the legal surname and sometimes a preferred one (a step-parent's), and
 * under the current UPN and sometimes a former one: each combination is a variant, and the one
 * closest to the query stands for the pupil.
 */
export function educationCandidate(row: EducationIdentityRow): SourceCandidate {
  const surnames = [row.surname, ...(row.preferredSurname ? [row.preferredSurname] : [])];
  const upns = [row.upn, ...(row.formerUpn ? [row.formerUpn] : [])];
  const variants: MatchSubject[] = [];
  for (const familyName of surnames) {
    for (const upn of upns) {
      variants.push({
        givenName: row.forename,
        familyName,
        dateOfBirth: row.dob,
        sex: row.gender,
        postcode: row.postcode,
        address: row.addressLine,
        identifiers: { upn },
      });
    }
  }
  return { ref: row.pupilId, variants };
}

export async function loadEducationCandidates(
  db: Queryable,
  refs: string[],
): Promise<SourceCandidate[]> {
  const rows = (await db.query(
    `SELECT pupil_id::text AS "pupilId", upn, former_upn AS "formerUpn", forename, surname,
            preferred_surname AS "preferredSurname", to_char(dob, 'YYYY-MM-DD') AS dob, gender,
            address_line AS "addressLine", postcode
       FROM pupil WHERE pupil_id = ANY($1::uuid[])`,
    [refs],
  )) as EducationIdentityRow[];
  return rows.map(educationCandidate);
}
