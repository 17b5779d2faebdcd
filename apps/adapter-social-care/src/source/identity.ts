import type { MatchSubject, Queryable, SourceCandidate } from '@mash/matching';

/** The child fields the matcher reads, by entity property name (seed rows have this shape too). */
export interface SocialCareIdentityRow {
  laChildId: string;
  upn: string | null;
  formerUpn: string | null;
  forename: string;
  surname: string;
  personBirthDate: string | null;
  /** CIN census: 1 male, 2 female, 0 not known, 9 not stated. */
  genderCurrent: number | string;
  addressLine: string | null;
  postcode: string | null;
}

/** The current and the former UPN are each a variant; the closest to the query stands. */
export function socialCareCandidate(row: SocialCareIdentityRow): SourceCandidate {
  const upns = [row.upn, ...(row.formerUpn ? [row.formerUpn] : [])];
  const variants: MatchSubject[] = upns.map((upn) => ({
    givenName: row.forename,
    familyName: row.surname,
    dateOfBirth: row.personBirthDate,
    sex: String(row.genderCurrent),
    postcode: row.postcode,
    address: row.addressLine,
    identifiers: { upn, laChildId: row.laChildId },
  }));
  return { ref: row.laChildId, variants };
}

export async function loadSocialCareCandidates(
  db: Queryable,
  refs: string[],
): Promise<SourceCandidate[]> {
  const rows = (await db.query(
    `SELECT la_child_id AS "laChildId", upn, former_upn AS "formerUpn", forename, surname,
            to_char(person_birth_date, 'YYYY-MM-DD') AS "personBirthDate",
            gender_current AS "genderCurrent", address_line AS "addressLine", postcode
       FROM child WHERE la_child_id = ANY($1::text[])`,
    [refs],
  )) as SocialCareIdentityRow[];
  return rows.map(socialCareCandidate);
}
