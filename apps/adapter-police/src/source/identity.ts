import type { MatchSubject, Queryable, SourceCandidate } from '@mash/matching';

/** The nominal fields the matcher reads, by entity property name (seed rows have this shape too). */
export interface PoliceIdentityRow {
  personId: string;
  forename: string;
  surname: string;
  dateOfBirth: string | null;
  sex: string;
  pncId: string | null;
}

export interface PoliceAddressRow {
  personId: string;
  addressLine: string | null;
  postcode: string | null;
}

/** Every address in the nominal's history is a variant: families move, the record keeps them all. */
export function policeCandidate(
  row: PoliceIdentityRow,
  addresses: readonly PoliceAddressRow[],
): SourceCandidate {
  const base: MatchSubject = {
    givenName: row.forename,
    familyName: row.surname,
    dateOfBirth: row.dateOfBirth,
    sex: row.sex,
    identifiers: { pncId: row.pncId },
  };
  const variants =
    addresses.length === 0
      ? [base]
      : addresses.map((a) => ({ ...base, postcode: a.postcode, address: a.addressLine }));
  return { ref: row.personId, variants };
}

export async function loadPoliceCandidates(
  db: Queryable,
  refs: string[],
): Promise<SourceCandidate[]> {
  const rows = (await db.query(
    `SELECT p.person_id::text AS "personId", p.forename, p.surname,
            to_char(p.date_of_birth, 'YYYY-MM-DD') AS "dateOfBirth", p.sex, p.pnc_id AS "pncId",
            a.address_line AS "addressLine", a.postcode
       FROM person p LEFT JOIN person_address a ON a.person_id = p.person_id
      WHERE p.person_id = ANY($1::uuid[])`,
    [refs],
  )) as Array<PoliceIdentityRow & PoliceAddressRow>;
  const byPerson = new Map<string, { row: PoliceIdentityRow; addresses: PoliceAddressRow[] }>();
  for (const r of rows) {
    let entry = byPerson.get(r.personId);
    if (!entry) byPerson.set(r.personId, (entry = { row: r, addresses: [] }));
    if (r.postcode !== null || r.addressLine !== null) entry.addresses.push(r);
  }
  return [...byPerson.values()].map((e) => policeCandidate(e.row, e.addresses));
}
