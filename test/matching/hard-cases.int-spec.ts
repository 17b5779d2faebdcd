import type { FindResult, SourceConnector } from '@mash/adapter-sdk';
import type { Agency, SubjectCriteria } from '@mash/contracts';
import {
  generateNhsNumber,
  generateUpn,
  matchKeyRows,
  seededRandom,
  type SourceCandidate,
} from '@mash/matching';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import {
  educationCandidate,
  type EducationIdentityRow,
} from '../../apps/adapter-education/src/source';
import { healthCandidate, type HealthIdentityRow } from '../../apps/adapter-health/src/source';
import { policeCandidate, type PoliceIdentityRow } from '../../apps/adapter-police/src/source';
import {
  databaseUrl,
  dropDatabase,
  readerUrl,
  sourceDatabaseName,
  sourceDataSource,
  storeDatabaseName,
  storeDataSource,
} from '../../scripts/seed/database';
import { exampleConnector } from '../../scripts/seed/connectors';
import { runSeed } from '../../scripts/seed/run';

/*
 * The hard cases of identity matching, at the connector: a seeded town (so the model is the one
 * the seed fits and the children compete with a real population), plus hand-made records for
 * each case, written the way the seed writes them (source row, and its match_key rows in the
 * adapter's own database).
 */

/** An agency's source database and its adapter's own database (the match index). */
interface AgencyDbs {
  source: DataSource;
  store: DataSource;
}

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'mash_scratch_match_';
const USED: Agency[] = ['police', 'health', 'education'];
const random = seededRandom(2026);

async function addKeys(db: DataSource, candidate: SourceCandidate): Promise<void> {
  const rows = matchKeyRows(candidate);
  await db.query(
    `INSERT INTO match_key (key, subject_ref) SELECT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`,
    [rows.map((r) => r.key), rows.map((r) => r.subjectRef)],
  );
}

async function addPatient(
  db: AgencyDbs,
  row: Omit<HealthIdentityRow, 'patientId'>,
): Promise<string> {
  const patientId = randomUUID();
  await db.source.query(
    `INSERT INTO patient (patient_id, nhs_number, nhs_number_verification_status, family_name, given_name,
       birth_date, gender, address_line, address_postcode)
     VALUES ($1, $2, '01', $3, $4, $5, $6, $7, $8)`,
    [
      patientId,
      row.nhsNumber,
      row.familyName,
      row.givenName,
      row.birthDate,
      row.gender,
      row.addressLine,
      row.addressPostcode,
    ],
  );
  await addKeys(db.store, healthCandidate({ patientId, ...row }));
  return patientId;
}

async function addPupil(
  db: AgencyDbs,
  row: Omit<EducationIdentityRow, 'pupilId'>,
): Promise<string> {
  const pupilId = randomUUID();
  await db.source.query(
    `INSERT INTO pupil (pupil_id, upn, former_upn, surname, forename, preferred_surname, dob, gender, address_line, postcode)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      pupilId,
      row.upn,
      row.formerUpn,
      row.surname,
      row.forename,
      row.preferredSurname,
      row.dob,
      row.gender,
      row.addressLine,
      row.postcode,
    ],
  );
  await addKeys(db.store, educationCandidate({ pupilId, ...row }));
  return pupilId;
}

async function addNominal(
  db: AgencyDbs,
  row: Omit<PoliceIdentityRow, 'personId'>,
  address: { addressLine: string; postcode: string },
): Promise<string> {
  const personId = randomUUID();
  await db.source.query(
    `INSERT INTO person (person_id, surname, forename, date_of_birth, sex, pnc_id) VALUES ($1, $2, $3, $4, $5, $6)`,
    [personId, row.surname, row.forename, row.dateOfBirth, row.sex, row.pncId],
  );
  await db.source.query(
    `INSERT INTO person_address (person_id, address_line, town, postcode) VALUES ($1, $2, 'Northampton', $3)`,
    [personId, address.addressLine, address.postcode],
  );
  await addKeys(db.store, policeCandidate({ personId, ...row }, [{ personId, ...address }]));
  return personId;
}

/** A released answer never names a record unless it is a match. */
function expectSafe(result: FindResult): void {
  if (result.status !== 'match') expect(result.subjectRef).toBeUndefined();
  for (const e of result.evidence ?? [])
    expect(Object.keys(e).sort()).toEqual(['field', 'outcome', 'weight']);
}

describe('identity matching hard cases', () => {
  let out: string;
  const sources = {} as Record<Agency, AgencyDbs>;
  const connectors = {} as Record<Agency, SourceConnector>;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'mash-match-'));
    await runSeed({
      people: 1500,
      seed: 11,
      serverUrl: SERVER,
      dbPrefix: PREFIX,
      out,
      asOf: '2026-11-01',
      log: () => undefined,
    });
    for (const agency of USED) {
      sources[agency] = {
        source: sourceDataSource(agency, databaseUrl(SERVER, sourceDatabaseName(PREFIX, agency))),
        store: storeDataSource(databaseUrl(SERVER, storeDatabaseName(PREFIX, agency))),
      };
      await sources[agency].source.initialize();
      await sources[agency].store.initialize();
      // The connector reads the source as the adapter does: through its read-only role.
      const opened = exampleConnector(
        agency,
        readerUrl(SERVER, PREFIX, agency),
        sources[agency].store,
      );
      connectors[agency] = opened.connector;
      closers.push(opened.close);
    }
  });

  afterAll(async () => {
    for (const close of closers) await close();
    for (const agency of USED) {
      await sources[agency]?.source.destroy();
      await sources[agency]?.store.destroy();
    }
    for (const agency of ['police', 'health', 'education', 'social-care'] as Agency[]) {
      await dropDatabase(SERVER, sourceDatabaseName(PREFIX, agency));
      await dropDatabase(SERVER, storeDatabaseName(PREFIX, agency));
    }
    if (out) await rm(out, { recursive: true, force: true });
  });

  describe('twins with the same surname and date of birth', () => {
    const home = { addressLine: '14 Quarry Row', addressPostcode: 'NN3 9ZQ' };
    const twin = (givenName: string, gender: string): Omit<HealthIdentityRow, 'patientId'> => ({
      givenName,
      familyName: 'Vasquez-Thorne',
      birthDate: '2016-02-19',
      gender,
      nhsNumber: generateNhsNumber(random),
      ...home,
    });
    let amelia: string;
    let ava: string;

    beforeAll(async () => {
      amelia = await addPatient(sources.health, twin('Amelia', 'female'));
      ava = await addPatient(sources.health, twin('Ava', 'female'));
    });

    it.each([
      ['Ava', () => ava],
      ['Amelia', () => amelia],
    ])('finds %s, never her twin, by name and date of birth', async (givenName, ref) => {
      const sut = await connectors.health.findSubject({
        givenName,
        familyName: 'Vasquez-Thorne',
        dateOfBirth: '2016-02-19',
        postcode: home.addressPostcode,
      });
      expect(sut).toMatchObject({ status: 'match', subjectRef: ref() });
    });

    it('does not hand over the twin the source holds when asked for the one it does not', async () => {
      const held = await addPatient(sources.health, {
        ...twin('Reuben', 'male'),
        familyName: 'Okonjo-Marsh',
      });
      const sut = await connectors.health.findSubject({
        givenName: 'Ezra',
        familyName: 'Okonjo-Marsh',
        dateOfBirth: '2016-02-19',
        sex: 'male',
        postcode: home.addressPostcode,
        address: home.addressLine,
      });
      expect(sut.status).not.toBe('match');
      expect(sut.subjectRef).not.toBe(held);
      expectSafe(sut);
    });
  });

  it("matches a child who took a step-parent's surname", async () => {
    const pupil = await addPupil(sources.education, {
      upn: null,
      formerUpn: null,
      forename: 'Kacper',
      surname: 'Wisniewski',
      preferredSurname: null,
      dob: '2013-10-03',
      gender: 'M',
      addressLine: '7 Tanner Close',
      postcode: 'NN5 8QT',
    });
    const sut = await connectors.education.findSubject({
      givenName: 'Kacper',
      familyName: 'Holloway',
      dateOfBirth: '2013-10-03',
      sex: 'male',
      postcode: 'NN5 8QT',
      address: '7 Tanner Close',
    });
    expect(sut).toMatchObject({ status: 'match', subjectRef: pupil, method: 'probabilistic' });
    expect(sut.evidence).toContainEqual(
      expect.objectContaining({ field: 'familyName', outcome: 'disagree' }),
    );
  });

  it('finds a child recorded under a nickname with day and month swapped, never a sibling', async () => {
    const address = { addressLine: '3 Cordwainer Yard', postcode: 'NN1 7XW' };
    const oliver = await addNominal(
      sources.police,
      { forename: 'Oliver', surname: 'Quennell', dateOfBirth: '2014-03-07', sex: 'M', pncId: null },
      address,
    );
    const sister = await addNominal(
      sources.police,
      { forename: 'Olivia', surname: 'Quennell', dateOfBirth: '2016-03-07', sex: 'F', pncId: null },
      address,
    );
    const sut = await connectors.police.findSubject({
      givenName: 'Ollie',
      familyName: 'Quennell',
      dateOfBirth: '2014-07-03',
      postcode: address.postcode,
    });
    expect(['match', 'possible-match']).toContain(sut.status);
    if (sut.status === 'match') expect(sut.subjectRef).toBe(oliver);
    expect(sut.subjectRef).not.toBe(sister);
    expectSafe(sut);
  });

  describe('a wrong identifier typed into a record, everything else agreeing', () => {
    const child: SubjectCriteria = {
      givenName: 'Maisie',
      familyName: 'Ashdown',
      dateOfBirth: '2012-05-27',
      sex: 'female',
      postcode: 'NN4 6WT',
      address: '22 Fuller Street',
    };

    it('answers possible-match with the evidence and no record when the school holds another valid UPN', async () => {
      const [right, wrong] = [generateUpn(random), generateUpn(random)];
      await addPupil(sources.education, {
        upn: wrong,
        formerUpn: null,
        forename: child.givenName,
        surname: child.familyName,
        preferredSurname: null,
        dob: child.dateOfBirth,
        gender: 'F',
        addressLine: child.address ?? null,
        postcode: child.postcode ?? null,
      });
      const sut = await connectors.education.findSubject({ ...child, identifiers: { upn: right } });
      expect(sut.status).toBe('possible-match');
      expect(sut.evidence).toContainEqual(
        expect.objectContaining({ field: 'upn', outcome: 'disagree' }),
      );
      expect(sut.evidence).toContainEqual(
        expect.objectContaining({ field: 'givenName', outcome: 'agree' }),
      );
      expectSafe(sut);
    });

    it('answers possible-match when the health record holds another valid NHS number', async () => {
      const [right, wrong] = [generateNhsNumber(random), generateNhsNumber(random)];
      await addPatient(sources.health, {
        givenName: child.givenName,
        familyName: child.familyName,
        birthDate: child.dateOfBirth,
        gender: 'female',
        nhsNumber: wrong,
        addressLine: child.address ?? null,
        addressPostcode: child.postcode ?? null,
      });
      const sut = await connectors.health.findSubject({
        ...child,
        identifiers: { nhsNumber: right },
      });
      expect(sut.status).toBe('possible-match');
      expectSafe(sut);
    });

    it('still matches deterministically when the number is right and the name is misspelt', async () => {
      const nhsNumber = generateNhsNumber(random);
      const patient = await addPatient(sources.health, {
        givenName: 'Theodore',
        familyName: 'Pemberton',
        birthDate: '2011-01-30',
        gender: 'male',
        nhsNumber,
        addressLine: '9 Mill Lane',
        addressPostcode: 'NN2 6AA',
      });
      const sut = await connectors.health.findSubject({
        givenName: 'Theodor',
        familyName: 'Pemberton',
        dateOfBirth: '2011-01-30',
        identifiers: { nhsNumber },
      });
      expect(sut).toMatchObject({
        status: 'match',
        subjectRef: patient,
        method: 'deterministic:nhsNumber',
      });
    });
  });
});
