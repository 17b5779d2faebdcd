import {
  AGENCIES,
  type Agency,
  type MemberRelationship,
  type SubjectCriteria,
} from '@mash/contracts';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_CORRUPTION, scaleRates, type CorruptionRates } from './corruption';
import {
  bulkInsert,
  databaseUrl,
  ensureDatabase,
  grantReadOnly,
  readerRoleName,
  readerUrl,
  sourceDatabaseName,
  sourceDataSource,
  storeDatabaseName,
  storeDataSource,
  truncateAll,
} from './database';
import { buildEducation } from './education';
import { buildHealth } from './health';
import { matchingTables } from './matching';
import { assignMembership, type Membership } from './membership';
import type { AgencySeed, BuildContext, TruthRow } from './model';
import { buildPolice } from './police';
import {
  generatePopulation,
  grandmotherOf,
  type Household,
  type Person,
  type Population,
} from './population';
import { isoDay, Rng, toDay } from './rng';
import { buildSocialCare } from './social-care';

export interface SeedOptions {
  /** People in the synthetic town, adults included; children 0-17 are the subjects. */
  people: number;
  seed: number;
  /** Any URL on the PostgreSQL server; its database path is replaced per agency. */
  serverUrl: string;
  dbPrefix: string;
  out: string;
  /** The day the data describes (default today); with the seed it fixes the output. */
  asOf?: string;
  /** Multiplies every default corruption rate; 0 writes perfect copies. */
  corruption?: number;
  rates?: Partial<CorruptionRates>;
  /** How many demo children are never corrupted (default 8; at least 3 known to all four agencies). */
  cleanDemo?: number;
  log?: (message: string) => void;
}

/** A person living with a demo child, as an analyst would name them in a referral. */
export interface DemoHouseholdMember {
  relationship: MemberRelationship;
  givenName: string;
  familyName: string;
  dateOfBirth: string;
  sex: 'female' | 'male';
  postcode?: string;
  /** The agencies holding a record of the person (none for a grandmother the seed only names). */
  knownTo: Agency[];
}

export interface DemoSubject {
  subject: SubjectCriteria;
  knownTo: Agency[];
  /** The rest of the child's household, for children who live with others. */
  household?: DemoHouseholdMember[];
}

export interface GeneratedSeed {
  population: Population;
  membership: Membership;
  agencies: AgencySeed[];
  subjects: DemoSubject[];
}

export interface SeedSummary {
  people: number;
  children: number;
  records: Record<Agency, number>;
  subjects: DemoSubject[];
  databases: Record<Agency, string>;
  /** Each adapter's own database (the match index and model the seed fitted). */
  stores: Record<Agency, string>;
  /** Each source's URL as its read-only role, for the adapter. */
  readers: Record<Agency, string>;
  truthFile: string;
  subjectsFile: string;
  durationMs: number;
}

/** The name, given name and birth date columns of each agency's person table, for uniqueness checks. */
const IDENTITY_FIELDS: Record<Agency, [string, string, string]> = {
  police: ['forename', 'surname', 'dateOfBirth'],
  health: ['givenName', 'familyName', 'birthDate'],
  education: ['forename', 'surname', 'dob'],
  'social-care': ['forename', 'surname', 'personBirthDate'],
};

/** Everything the seed writes, computed in memory and deterministic in (seed, people, asOf, rates). */
export function generateSeed(
  options: Omit<SeedOptions, 'serverUrl' | 'dbPrefix' | 'out'>,
): GeneratedSeed {
  const asOf = toDay(options.asOf ?? new Date().toISOString().slice(0, 10));
  const rng = new Rng(options.seed);
  const population = generatePopulation({ people: options.people, seed: options.seed, asOf });
  const membership = assignMembership(population, rng.fork('membership'), {
    cleanDemo: options.cleanDemo ?? 8,
  });
  const rates = scaleRates({ ...DEFAULT_CORRUPTION, ...options.rates }, options.corruption ?? 1);
  const ctx: BuildContext = {
    population,
    membership,
    rates,
    rng: rng.fork('agencies'),
    households: new Map(population.households.map((h) => [h.id, h])),
    care: new Map(),
  };
  // Social care first: health's CP-IS flags repeat what social care decided.
  const socialCare = buildSocialCare(ctx);
  const agencies = [buildPolice(ctx), buildHealth(ctx), buildEducation(ctx), socialCare];
  return {
    population,
    membership,
    agencies,
    subjects: demoSubjects(population, membership, agencies),
  };
}

/** Demo children whose name and date of birth pick out exactly one record in every agency that knows them. */
function demoSubjects(
  population: Population,
  membership: Membership,
  agencies: AgencySeed[],
): DemoSubject[] {
  const norm = (s: unknown) =>
    String(s ?? '')
      .trim()
      .toLowerCase();
  const counts = new Map<string, number>();
  for (const seed of agencies) {
    const [given, family, dob] = IDENTITY_FIELDS[seed.agency];
    for (const row of seed.tables.find((t) => t.rows.length > 0 && given in t.rows[0])?.rows ??
      []) {
      const key = `${seed.agency}|${norm(row[given])}|${norm(row[family])}|${row[dob]}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const households = new Map(population.households.map((h) => [h.id, h]));
  const knownToOf = (personId: string): Agency[] =>
    AGENCIES.filter((a) =>
      agencies.find((s) => s.agency === a)?.truth.some((t) => t.personId === personId),
    );
  const result: DemoSubject[] = [];
  for (const [index, child] of membership.demo.entries()) {
    const knownTo = knownToOf(child.id);
    const unique = knownTo.every(
      (a) =>
        counts.get(
          `${a}|${norm(child.givenName)}|${norm(child.familyName)}|${isoDay(child.dob)}`,
        ) === 1,
    );
    if (!unique || knownTo.length === 0) continue;
    const home = households.get(child.householdId);
    const household = home ? householdMembers(home, child, knownToOf) : [];
    const upn = membership.schooling.get(child.id)?.upn;
    // Every other subject carries identifiers, so the demo shows both identifier and name+DOB matching.
    const identifiers =
      index % 2 === 1 ? { nhsNumber: child.nhsNumber, ...(upn ? { upn } : {}) } : undefined;
    result.push({
      subject: {
        givenName: child.givenName,
        familyName: child.familyName,
        dateOfBirth: isoDay(child.dob),
        postcode: households.get(child.householdId)?.address.postcode,
        ...(identifiers ? { identifiers } : {}),
      },
      knownTo,
      ...(household.length > 0 ? { household } : {}),
    });
  }
  const step = stepFamilySubject(population, agencies, membership, counts, knownToOf);
  if (step) result.push(step);
  return result;
}

/**
 * One more demo child, appended so the others keep their places: a child of a step family where
 * domestic abuse lies behind the concern and the police hold the mother's partner, the child and
 * the partner held by every agency exactly as they are (others may carry the usual slips).
 * Chosen after everything is generated, so offering it changes nothing the seed writes.
 */
function stepFamilySubject(
  population: Population,
  agencies: AgencySeed[],
  membership: Membership,
  counts: ReadonlyMap<string, number>,
  knownToOf: (personId: string) => Agency[],
): DemoSubject | undefined {
  const norm = (s: string) => s.trim().toLowerCase();
  const truth = agencies.flatMap((a) => a.truth);
  const clean = (p: Person) =>
    truth.filter((t) => t.personId === p.id).every((t) => t.corruptions.length === 0);
  const demo = new Set(membership.demo.map((c) => c.id));
  for (const home of population.households) {
    if (!home.partnerOfParentId || !home.concerns.domesticAbuse || home.risk === 'none') continue;
    const partner = home.adults.find((a) => a.id === home.partnerOfParentId);
    if (!partner || !knownToOf(partner.id).includes('police') || !clean(partner)) continue;
    const children = home.children
      .filter((c) => population.children.includes(c) && !demo.has(c.id) && clean(c))
      .filter((c) =>
        knownToOf(c.id).every(
          (a) =>
            counts.get(`${a}|${norm(c.givenName)}|${norm(c.familyName)}|${isoDay(c.dob)}`) === 1,
        ),
      )
      .sort((a, b) => knownToOf(b.id).length - knownToOf(a.id).length);
    const child = children[0];
    if (!child || knownToOf(child.id).length < 2) continue;
    return {
      subject: {
        givenName: child.givenName,
        familyName: child.familyName,
        dateOfBirth: isoDay(child.dob),
        postcode: home.address.postcode,
      },
      knownTo: knownToOf(child.id),
      household: householdMembers(home, child, knownToOf),
    };
  }
  return undefined;
}

/**
 * The people a demo child lives with: siblings, the parents, the mother's partner in a step
 * family, and (where the family has come to anyone's notice) a grandmother living with them.
 */
function householdMembers(
  home: Household,
  child: Person,
  knownToOf: (personId: string) => Agency[],
): DemoHouseholdMember[] {
  const postcode = home.address.postcode;
  const member = (p: Person, relationship: MemberRelationship): DemoHouseholdMember => ({
    relationship,
    givenName: p.givenName,
    familyName: p.familyName,
    dateOfBirth: isoDay(p.dob),
    sex: p.sex === 'F' ? 'female' : 'male',
    postcode,
    knownTo: knownToOf(p.id),
  });
  const members = [
    ...home.children.filter((c) => c.id !== child.id).map((c) => member(c, 'sibling')),
    ...home.adults.map((a) =>
      member(a, a.id === home.partnerOfParentId ? 'partner-of-parent' : 'parent'),
    ),
  ];
  const grandmother = home.risk === 'none' ? null : grandmotherOf(home);
  if (grandmother)
    members.push({
      relationship: 'other-adult',
      givenName: grandmother.givenName,
      familyName: grandmother.familyName,
      dateOfBirth: isoDay(grandmother.dob),
      sex: 'female',
      postcode,
      knownTo: [],
    });
  return members;
}

function truthCsv(rows: TruthRow[]): string {
  const lines = ['agency,record_ref,person_id,household_id,is_child,twin_group,corruptions'];
  for (const r of rows) {
    lines.push(
      [
        r.agency,
        r.recordRef,
        r.personId,
        r.householdId,
        r.isChild ? 'true' : 'false',
        r.twinGroup ?? '',
        r.corruptions.join(';'),
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

/** Generates the population and writes each agency's database, truth.csv and subjects.json. */
export async function runSeed(options: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const log = options.log ?? ((m: string) => process.stderr.write(`[seed] ${m}\n`));
  log(`generating ${options.people} people (seed ${options.seed})`);
  const generated = generateSeed(options);
  log(
    `generated ${generated.population.people.length} people, ${generated.population.children.length} children in ${Date.now() - started} ms`,
  );

  const t = Date.now();
  const matching = matchingTables(generated.agencies, {
    log,
    queriesBornFrom: isoDay(generated.population.asOf - Math.round(18 * 365.25)),
  });
  log(`blocking keys and matching models ready in ${Date.now() - t} ms`);

  const databases = {} as Record<Agency, string>;
  const stores = {} as Record<Agency, string>;
  const readers = {} as Record<Agency, string>;
  const records = {} as Record<Agency, number>;
  await Promise.all(
    generated.agencies.map(async (seed) => {
      const name = sourceDatabaseName(options.dbPrefix, seed.agency);
      databases[seed.agency] = name;
      records[seed.agency] = seed.truth.length;
      await ensureDatabase(options.serverUrl, name);
      const ds = sourceDataSource(seed.agency, databaseUrl(options.serverUrl, name));
      await ds.initialize();
      try {
        await ds.runMigrations({ transaction: 'each' });
        // One transaction: an adapter reading meanwhile sees the old data or the new, never half.
        await ds.transaction(async (manager) => {
          await truncateAll(manager);
          for (const table of seed.tables) {
            const t = Date.now();
            await bulkInsert(manager, table.entity, table.rows);
            log(
              `${seed.agency}: ${ds.getMetadata(table.entity).tableName} ${table.rows.length} rows (${Date.now() - t} ms)`,
            );
          }
        });
        await ds.query('VACUUM ANALYZE');
        await grantReadOnly(ds, readerRoleName(options.dbPrefix, seed.agency), name);
        readers[seed.agency] = readerUrl(options.serverUrl, options.dbPrefix, seed.agency);
      } finally {
        await ds.destroy();
      }
      // The match index and model go to the adapter's own database, never the source.
      const storeName = storeDatabaseName(options.dbPrefix, seed.agency);
      stores[seed.agency] = storeName;
      await ensureDatabase(options.serverUrl, storeName);
      const store = storeDataSource(databaseUrl(options.serverUrl, storeName));
      await store.initialize();
      try {
        await store.runMigrations({ transaction: 'each' });
        await store.transaction(async (manager) => {
          // A new source: the index follows it from the start again.
          await manager.query(`TRUNCATE match_key, match_model, match_index_state`);
          for (const table of matching.get(seed.agency) ?? []) {
            const t = Date.now();
            await bulkInsert(manager, table.entity, table.rows);
            log(
              `${seed.agency}: ${store.getMetadata(table.entity).tableName} ${table.rows.length} rows (${Date.now() - t} ms)`,
            );
          }
        });
        // VACUUM sets the visibility map, so match_key lookups are index-only scans.
        await store.query('VACUUM ANALYZE match_key');
      } finally {
        await store.destroy();
      }
      log(`${seed.agency}: done in database ${name} (adapter store ${storeName})`);
    }),
  );

  await mkdir(options.out, { recursive: true });
  const truthFile = join(options.out, 'truth.csv');
  const subjectsFile = join(options.out, 'subjects.json');
  await writeFile(truthFile, truthCsv(generated.agencies.flatMap((a) => a.truth)));
  await writeFile(subjectsFile, `${JSON.stringify(generated.subjects, null, 2)}\n`);
  const durationMs = Date.now() - started;
  log(
    `wrote ${truthFile} and ${subjectsFile} (${generated.subjects.length} demo subjects) in ${durationMs} ms total`,
  );
  return {
    people: generated.population.people.length,
    children: generated.population.children.length,
    records,
    subjects: generated.subjects,
    databases,
    stores,
    readers,
    truthFile,
    subjectsFile,
    durationMs,
  };
}
