import type { SourceConnector } from '@mash/adapter-sdk';
import type { Agency } from '@mash/contracts';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { exampleConnector } from '../../scripts/seed/connectors';
import {
  databaseUrl,
  dropDatabase,
  readerUrl,
  sourceDatabaseName,
  sourceDataSource,
  storeDatabaseName,
  storeDataSource,
} from '../../scripts/seed/database';
import { runSeed, type DemoSubject, type SeedSummary } from '../../scripts/seed/run';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'mash_scratch_src_';
const AGENCIES: Agency[] = ['police', 'health', 'education', 'social-care'];

/** The categories and field names the agreements and minimisation rely on. */
const FIELDS: Record<Agency, Record<string, string[]>> = {
  police: {
    occurrences: [
      'occurrenceRef',
      'occurredOn',
      'type',
      'role',
      'domesticAbuse',
      'location',
      'summary',
    ],
    warnings: ['type', 'addedOn'],
  },
  health: {
    attendances: ['attendedOn', 'department', 'reason', 'outcome'],
    flags: ['type', 'startedOn'],
    gp: ['practiceName', 'registeredOn'],
  },
  education: {
    enrolment: ['schoolName', 'urn', 'enrolledOn', 'yearGroup'],
    attendance: ['term', 'percentage'],
    exclusions: ['startedOn', 'type', 'reason', 'days'],
    sen: ['provision', 'needType'],
  },
  'social-care': {
    involvement: [
      'referralDate',
      'assessmentDate',
      'cinPlanStart',
      'cppStart',
      'cppCategory',
      'lookedAfterStart',
      'legalStatus',
    ],
  },
};

/** SQL that finds a subject ref with at least one row in the category. */
const HAS_ROWS: Record<Agency, Record<string, string>> = {
  police: {
    occurrences: `SELECT person_id::text AS ref FROM occurrence_person op JOIN occurrence o USING (occurrence_id) WHERE o.domestic_abuse_marker LIMIT 1`,
    warnings: `SELECT person_id::text AS ref FROM warning_marker LIMIT 1`,
  },
  health: {
    attendances: `SELECT patient_id::text AS ref FROM encounter LIMIT 1`,
    flags: `SELECT patient_id::text AS ref FROM flag WHERE status = 'active' LIMIT 1`,
    gp: `SELECT patient_id::text AS ref FROM patient WHERE general_practitioner_ods IS NOT NULL LIMIT 1`,
  },
  education: {
    enrolment: `SELECT pupil_id::text AS ref FROM enrolment LIMIT 1`,
    attendance: `SELECT pupil_id::text AS ref FROM attendance LIMIT 1`,
    exclusions: `SELECT pupil_id::text AS ref FROM exclusion LIMIT 1`,
    sen: `SELECT pupil_id::text AS ref FROM sen_need LIMIT 1`,
  },
  'social-care': {
    involvement: `SELECT r.la_child_id AS ref FROM cin_referral r JOIN child_protection_plan c USING (referral_id) LIMIT 1`,
  },
};

/** Each agency's person table: its key, given name, family name and birth date columns. */
const PERSON_TABLE: Record<Agency, [string, string, string, string, string]> = {
  police: ['person', 'person_id::text', 'forename', 'surname', 'date_of_birth'],
  health: ['patient', 'patient_id::text', 'given_name', 'family_name', 'birth_date'],
  education: ['pupil', 'pupil_id::text', 'forename', 'surname', 'dob'],
  'social-care': ['child', 'la_child_id', 'forename', 'surname', 'person_birth_date'],
};

interface TruthLine {
  agency: Agency;
  recordRef: string;
  personId: string;
  twinGroup: string;
  corruptions: string[];
}

describe('agency source systems', () => {
  let out: string;
  let summary: SeedSummary;
  let subjects: DemoSubject[];
  let truth: TruthLine[];
  const sources = {} as Record<Agency, DataSource>;
  /** Each adapter's own database: the match index, and the outcomes it takes in. */
  const stores = {} as Record<Agency, DataSource>;
  const connectors = {} as Record<Agency, SourceConnector>;
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'mash-seed-'));
    for (const agency of AGENCIES) {
      await dropDatabase(SERVER, sourceDatabaseName(PREFIX, agency));
      await dropDatabase(SERVER, storeDatabaseName(PREFIX, agency));
    }
    // Every twin pair held by one agency is confused there, so the twins test always has a case.
    summary = await runSeed({
      people: 2500,
      seed: 42,
      serverUrl: SERVER,
      dbPrefix: PREFIX,
      out,
      asOf: '2026-11-01',
      rates: { twinConfusion: 1 },
      log: () => undefined,
    });
    subjects = JSON.parse(await readFile(summary.subjectsFile, 'utf8')) as DemoSubject[];
    const [, ...lines] = (await readFile(summary.truthFile, 'utf8')).trim().split('\n');
    truth = lines.map((line) => {
      const [agency, recordRef, personId, , , twinGroup, corruptions] = line.split(',');
      return {
        agency: agency as Agency,
        recordRef,
        personId,
        twinGroup,
        corruptions: corruptions ? corruptions.split(';') : [],
      };
    });
    for (const agency of AGENCIES) {
      sources[agency] = sourceDataSource(
        agency,
        databaseUrl(SERVER, sourceDatabaseName(PREFIX, agency)),
      );
      await sources[agency].initialize();
      stores[agency] = storeDataSource(databaseUrl(SERVER, storeDatabaseName(PREFIX, agency)));
      await stores[agency].initialize();
      // Read as the adapter reads: through the source's read-only role.
      const opened = exampleConnector(agency, readerUrl(SERVER, PREFIX, agency), stores[agency]);
      connectors[agency] = opened.connector;
      closers.push(opened.close);
    }
  });

  afterAll(async () => {
    for (const close of closers) await close();
    for (const agency of AGENCIES) {
      if (sources[agency]?.isInitialized) await sources[agency].destroy();
      if (stores[agency]?.isInitialized) await stores[agency].destroy();
      await dropDatabase(SERVER, sourceDatabaseName(PREFIX, agency));
      await dropDatabase(SERVER, storeDatabaseName(PREFIX, agency));
    }
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('has committed migrations that build exactly the schema the entities describe', async () => {
    for (const agency of AGENCIES) {
      const pending = await sources[agency].driver.createSchemaBuilder().log();
      expect({ agency, pending: pending.upQueries.map((q) => q.query) }).toEqual({
        agency,
        pending: [],
      });
    }
  });

  it('writes demo subjects, at least three of them known to all four agencies', () => {
    expect(subjects.length).toBeGreaterThanOrEqual(5);
    expect(subjects.length).toBeLessThanOrEqual(10);
    expect(subjects.filter((s) => s.knownTo.length === 4).length).toBeGreaterThanOrEqual(3);
  });

  it('finds every demo subject, by name and date of birth alone, as its own record in each agency that knows it', async () => {
    for (const { subject, knownTo } of subjects) {
      const { identifiers: _ignored, ...byName } = subject;
      for (const agency of AGENCIES) {
        const sut = await connectors[agency].findSubject(byName);
        if (!knownTo.includes(agency)) {
          expect(sut.status).not.toBe('match');
          continue;
        }
        expect(sut).toMatchObject({ status: 'match', method: 'probabilistic' });
        expect(sut.confidence).toBeGreaterThanOrEqual(0.99);
        const expected = truth.filter((t) => t.agency === agency && t.recordRef === sut.subjectRef);
        expect(expected).toHaveLength(1);
        const others = truth.filter(
          (t) => t.agency === agency && t.personId === expected[0].personId,
        );
        expect(others.every((t) => t.corruptions.length === 0)).toBe(true);
      }
    }
  });

  it('matches deterministically on the national identifier even when the name is spelt differently', async () => {
    const withIds = subjects.find(
      (s) => s.subject.identifiers?.nhsNumber && s.subject.identifiers.upn,
    );
    expect(withIds).toBeDefined();
    if (!withIds) return;
    const misspelt = { ...withIds.subject, givenName: `${withIds.subject.givenName}x` };
    await expect(connectors.health.findSubject(misspelt)).resolves.toMatchObject({
      status: 'match',
      method: 'deterministic:nhsNumber',
    });
    await expect(connectors.education.findSubject(misspelt)).resolves.toMatchObject({
      status: 'match',
      method: 'deterministic:upn',
    });
    const spaced = {
      ...misspelt,
      identifiers: {
        nhsNumber: withIds.subject.identifiers?.nhsNumber?.replace(/^(\d{3})(\d{3})/, '$1 $2 '),
      },
    };
    await expect(connectors.health.findSubject(spaced)).resolves.toMatchObject({
      status: 'match',
      method: 'deterministic:nhsNumber',
    });
  });

  it('answers possible-match, never a guess, when twins are recorded under one name and birth date', async () => {
    const confused = truth.filter((t) => t.corruptions.includes('twin-confusion'));
    expect(confused.length).toBeGreaterThan(0);
    for (const record of confused.slice(0, 5)) {
      const [table, key, given, family, dob] = PERSON_TABLE[record.agency];
      const [row] = (await sources[record.agency].query(
        `SELECT ${given} AS "givenName", ${family} AS "familyName", to_char(${dob}, 'YYYY-MM-DD') AS "dateOfBirth" FROM ${table} WHERE ${key} = $1`,
        [record.recordRef],
      )) as { givenName: string; familyName: string; dateOfBirth: string }[];
      const sut = await connectors[record.agency].findSubject({
        ...row,
        givenName: ` ${row.givenName.toUpperCase()} `,
      });
      expect(sut.status).toBe('possible-match');
      expect(sut.subjectRef).toBeUndefined();
    }
  });

  it('returns each category with exactly the agreed field names', async () => {
    for (const agency of AGENCIES) {
      for (const [category, fields] of Object.entries(FIELDS[agency])) {
        const [found] = (await sources[agency].query(HAS_ROWS[agency][category])) as {
          ref: string;
        }[];
        expect({ agency, category, found: Boolean(found) }).toEqual({
          agency,
          category,
          found: true,
        });
        const sut = await connectors[agency].fetchRecords(found.ref, [category, 'not-a-category']);
        expect(Object.keys(sut)).toEqual([category]);
        expect(sut[category].length).toBeGreaterThan(0);
        for (const record of sut[category])
          expect(Object.keys(record).sort()).toEqual([...fields].sort());
      }
    }
  });

  it('formats dates as YYYY-MM-DD and types flags, percentages and days', async () => {
    const [da] = (await sources.police.query(HAS_ROWS.police.occurrences)) as { ref: string }[];
    const { occurrences } = await connectors.police.fetchRecords(da.ref, ['occurrences']);
    expect(occurrences.some((o) => o.domesticAbuse === true)).toBe(true);
    expect(occurrences.every((o) => /^\d{4}-\d{2}-\d{2}$/.test(String(o.occurredOn)))).toBe(true);
    const [pupil] = (await sources.education.query(HAS_ROWS.education.exclusions)) as {
      ref: string;
    }[];
    const { exclusions, attendance } = await connectors.education.fetchRecords(pupil.ref, [
      'exclusions',
      'attendance',
    ]);
    expect(
      exclusions.every(
        (e) => typeof e.days === 'number' && (e.type === 'FIXD' || e.type === 'PERM'),
      ),
    ).toBe(true);
    expect(
      attendance.every(
        (a) =>
          typeof a.percentage === 'number' &&
          Number(a.percentage) >= 0 &&
          Number(a.percentage) <= 100,
      ),
    ).toBe(true);
    const [flagged] = (await sources.health.query(HAS_ROWS.health.flags)) as { ref: string }[];
    const { flags } = await connectors.health.fetchRecords(flagged.ref, ['flags']);
    expect(flags.length).toBeGreaterThan(0);
    for (const f of flags)
      expect([
        'child-protection-plan',
        'looked-after',
        'adult-mental-health',
        'substance-misuse',
      ]).toContain(f.type);
  });

  it('returns empty categories for a subject ref the source does not hold', async () => {
    for (const agency of AGENCIES) {
      const categories = Object.keys(FIELDS[agency]);
      const sut = await connectors[agency].fetchRecords('not-a-ref', categories);
      expect(Object.values(sut).every((records) => records.length === 0)).toBe(true);
    }
  });

  it('stores a MASH outcome once however often it is delivered', async () => {
    for (const agency of AGENCIES) {
      const outcome = {
        outcomeId: `outcome-${agency}`,
        caseRef: 'CASE-1',
        subjectRef: 'ref-1',
        outcome: 's47-strategy',
        decidedAt: '2026-11-01T10:00:00Z',
      };
      await connectors[agency].recordOutcome?.(outcome);
      await connectors[agency].recordOutcome?.({ ...outcome, outcome: 'nfa' });
      await connectors[agency].recordOutcome?.({
        ...outcome,
        outcomeId: `other-${agency}`,
        subjectRef: undefined,
      });
      const rows = (await stores[agency].query(
        `SELECT outcome_id, outcome, subject_ref FROM mash_outcome ORDER BY outcome_id`,
      )) as { outcome_id: string; outcome: string; subject_ref: string | null }[];
      expect(rows).toEqual([
        { outcome_id: `other-${agency}`, outcome: 's47-strategy', subject_ref: null },
        { outcome_id: `outcome-${agency}`, outcome: 's47-strategy', subject_ref: 'ref-1' },
      ]);
    }
  });

  it('re-seeding replaces the data rather than adding to it', async () => {
    const before = (await sources.health.query(`SELECT count(*)::int AS n FROM patient`)) as {
      n: number;
    }[];
    await runSeed({
      people: 2500,
      seed: 42,
      serverUrl: SERVER,
      dbPrefix: PREFIX,
      out,
      asOf: '2026-11-01',
      rates: { twinConfusion: 1 },
      log: () => undefined,
    });
    const after = (await sources.health.query(`SELECT count(*)::int AS n FROM patient`)) as {
      n: number;
    }[];
    expect(after[0].n).toBe(before[0].n);
    expect(after[0].n).toBe(summary.records.health);
  });
});
