/**
 * Query-time lookup against one agency source of 1,000,000 people (health), through the real
 * `HealthConnector`: blocking keys from the btree on `match_key`, at most 200 candidates, scoring.
 *
 *   node -r @swc-node/register bench/matching-lookup.bench.ts [--people 1000000] [--lookups 2500] [--keep]
 *
 * The full seed builds all four agencies in memory, so this bench has its own bulk generator for
 * the health source alone: households of one to five people sharing a surname and an address,
 * names by the seed's frequency tables, ages 0-90, valid NHS numbers. The lookups run in a
 * separate process that holds only a connector, so its resident memory is the adapter's.
 * Queries: people drawn from the source, a third as recorded, a third with the given name
 * misspelt or nicknamed, a third with day and month swapped or the address moved; plus one in
 * ten for people the source does not hold. Writes `lookup` into bench/results/matching.json.
 */
import type { SubjectCriteria } from '@mash/contracts';
import { blockingKeys, defaultModel, generateNhsNumber, type MatchSubject } from '@mash/matching';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { HealthPatient } from '../apps/adapter-health/src/source';
import { AddressBook } from '../scripts/seed/area';
import {
  bulkInsert,
  databaseUrl,
  dropDatabase,
  ensureDatabase,
  sourceDataSource,
  storeDataSource,
} from '../scripts/seed/database';
import {
  BOY_NAMES,
  GIRL_NAMES,
  MEN_NAMES,
  NICKNAMES,
  SURNAMES,
  WOMEN_NAMES,
} from '../scripts/seed/names';
import { isoDay, Rng, toDay, WeightedTable } from '../scripts/seed/rng';
import { mergeMatchingResult, MATCHING_RESULTS, progress, round4 } from './matching-results';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = 'mash_bench_lookup_health';
/** The adapter's own database: the match index and model live here, apart from the source. */
const STORE = 'mash_bench_lookup_adapter_health';
const AS_OF = toDay('2026-11-01');
const CHUNK = 50_000;

export interface LookupWorkerInput {
  url: string;
  storeUrl: string;
  queries: SubjectCriteria[];
  warmup: number;
}
export interface LookupWorkerOutput {
  latenciesMs: number[];
  statuses: Record<string, number>;
  rssBytes: number;
  heapUsedBytes: number;
}

function toCriteria(s: MatchSubject): SubjectCriteria {
  return {
    givenName: s.givenName ?? '',
    familyName: s.familyName ?? '',
    dateOfBirth: s.dateOfBirth ?? '',
    ...(s.sex === 'male' || s.sex === 'female' ? { sex: s.sex } : {}),
    ...(s.postcode ? { postcode: s.postcode } : {}),
    ...(s.address ? { address: s.address } : {}),
  };
}

/** The query an analyst might type for a person: as held, misspelt or nicknamed, or swapped/moved. */
function perturb(rng: Rng, s: MatchSubject, i: number, book: AddressBook): MatchSubject {
  const kind = i % 3;
  if (kind === 0) return s;
  if (kind === 1) {
    const given = s.givenName ?? '';
    const nick = NICKNAMES[given];
    if (nick && rng.chance(0.5)) return { ...s, givenName: rng.pick([...nick]) };
    const at = rng.int(1, Math.max(1, given.length - 2));
    return {
      ...s,
      givenName: given.slice(0, at) + given[at + 1] + given[at] + given.slice(at + 2),
    };
  }
  const [y, m, d] = (s.dateOfBirth ?? '').split('-');
  if (Number(d) <= 12 && d !== m) return { ...s, dateOfBirth: `${y}-${d}-${m}` };
  const moved = book.draw();
  return { ...s, postcode: moved.postcode, address: moved.line };
}

export async function run(
  options: { people?: number; lookups?: number; keep?: boolean } = {},
): Promise<object> {
  const people = options.people ?? Number(process.env.MATCHING_LOOKUP_PEOPLE ?? 1_000_000);
  const lookups = options.lookups ?? 2500;
  const url = databaseUrl(SERVER, DATABASE);
  const storeUrl = databaseUrl(SERVER, STORE);
  const rng = new Rng('lookup-bench');
  const book = new AddressBook(rng.fork('addresses'));
  const tables = {
    girls: new WeightedTable(GIRL_NAMES),
    boys: new WeightedTable(BOY_NAMES),
    women: new WeightedTable(WOMEN_NAMES),
    men: new WeightedTable(MEN_NAMES),
    surnames: new WeightedTable(SURNAMES),
  };
  const newPerson = (
    surname: string,
    address: { line: string; postcode: string },
  ): MatchSubject => {
    const female = rng.chance(0.5);
    const ageDays = rng.int(0, 90 * 365);
    const child = ageDays < 18 * 365;
    const names = child
      ? female
        ? tables.girls
        : tables.boys
      : female
        ? tables.women
        : tables.men;
    return {
      givenName: names.draw(rng),
      familyName: surname,
      dateOfBirth: isoDay(AS_OF - ageDays),
      sex: female ? 'female' : 'male',
      postcode: address.postcode,
      address: address.line,
      identifiers: { nhsNumber: generateNhsNumber(() => rng.next()) },
    };
  };

  await dropDatabase(SERVER, DATABASE);
  await dropDatabase(SERVER, STORE);
  await ensureDatabase(SERVER, DATABASE);
  await ensureDatabase(SERVER, STORE);
  const ds = sourceDataSource('health', url);
  await ds.initialize();
  const store = storeDataSource(storeUrl);
  await store.initialize();
  const started = Date.now();
  const sampleEvery = Math.max(1, Math.floor(people / lookups));
  const sampled: MatchSubject[] = [];
  let heldOut: MatchSubject[] = [];
  try {
    await ds.runMigrations({ transaction: 'each' });
    await store.runMigrations({ transaction: 'each' });
    // Building the btree once after loading is far faster than maintaining it row by row.
    await store.query(`ALTER TABLE match_key DROP CONSTRAINT "PK_e6ace19c636de72fcb9a947f0b0"`);
    let made = 0;
    while (made < people) {
      const patients: object[] = [];
      const keys: Array<{ key: string; subjectRef: string }> = [];
      while (patients.length < CHUNK && made < people) {
        const address = book.draw();
        const surname = tables.surnames.draw(rng);
        const size = Math.min(people - made, rng.int(1, 5));
        for (let k = 0; k < size; k++) {
          const p = newPerson(surname, address);
          const patientId = rng.uuid();
          patients.push({
            patientId,
            nhsNumber: p.identifiers?.nhsNumber,
            nhsNumberVerificationStatus: '01',
            familyName: p.familyName,
            givenName: p.givenName,
            birthDate: p.dateOfBirth,
            gender: p.sex,
            addressLine: p.address,
            addressCity: 'Northampton',
            addressPostcode: p.postcode,
          });
          for (const key of blockingKeys(p)) keys.push({ key, subjectRef: patientId });
          if (made % sampleEvery === 0 && sampled.length < lookups) sampled.push(p);
          made++;
        }
      }
      await bulkInsert(ds.manager, HealthPatient, patients);
      await store.query(
        `INSERT INTO match_key (key, subject_ref) SELECT * FROM unnest($1::text[], $2::text[])`,
        [keys.map((k) => k.key), keys.map((k) => k.subjectRef)],
      );
      progress(
        `lookup: generated ${made}/${people} patients (${Math.round((Date.now() - started) / 1000)} s)`,
      );
    }
    progress('lookup: building the match_key btree');
    await store.query(
      `DELETE FROM match_key a USING match_key b WHERE a.ctid < b.ctid AND a.key = b.key AND a.subject_ref = b.subject_ref`,
    );
    await store.query(
      `ALTER TABLE match_key ADD CONSTRAINT "PK_e6ace19c636de72fcb9a947f0b0" PRIMARY KEY (key, subject_ref)`,
    );
    await store.query(
      `INSERT INTO match_model (id, model, fitted_at) VALUES ('current', $1, now())`,
      [JSON.stringify(defaultModel(people))],
    );
    // Index-only scans of match_key need the visibility map a VACUUM sets.
    await ds.query('VACUUM ANALYZE');
    await store.query('VACUUM ANALYZE');
    // People the source does not hold: new households, never written.
    heldOut = Array.from({ length: Math.round(lookups / 10) }, () =>
      newPerson(tables.surnames.draw(rng), book.draw()),
    );
  } finally {
    await ds.destroy();
    await store.destroy();
  }
  const loadSeconds = (Date.now() - started) / 1000;
  const [{ keys, size }] = await (async () => {
    const probe = storeDataSource(storeUrl);
    await probe.initialize();
    try {
      return (await probe.query(
        `SELECT (SELECT count(*) FROM match_key)::int AS keys, pg_size_pretty(pg_database_size(current_database()) + pg_database_size('${DATABASE}')) AS size`,
      )) as Array<{ keys: number; size: string }>;
    } finally {
      await probe.destroy();
    }
  })();
  progress(
    `lookup: source ready (${keys} keys, ${size}) in ${Math.round(loadSeconds)} s; looking up`,
  );

  const queries = [
    ...sampled.map((s, i) => toCriteria(perturb(rng, s, i, book))),
    ...heldOut.map(toCriteria),
  ];
  const dir = mkdtempSync(join(tmpdir(), 'mash-lookup-'));
  const input = join(dir, 'input.json');
  writeFileSync(
    input,
    JSON.stringify({ url, storeUrl, queries, warmup: 200 } satisfies LookupWorkerInput),
  );
  let output: LookupWorkerOutput;
  try {
    output = await new Promise<LookupWorkerOutput>((resolve, reject) => {
      const child = fork(join(__dirname, 'matching-lookup-worker.ts'), [input], {
        execArgv: ['-r', '@swc-node/register'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      child.once('message', (m) => resolve(m as LookupWorkerOutput));
      child.once('error', reject);
      child.once('exit', (code) => {
        if (code !== 0) reject(new Error(`lookup worker exited with ${code}`));
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    if (!options.keep) {
      await dropDatabase(SERVER, DATABASE);
      await dropDatabase(SERVER, STORE);
      progress('lookup: dropped the bench database');
    }
  }
  const sorted = [...output.latenciesMs].sort((a, b) => a - b);
  const pct = (p: number): number =>
    round4(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);
  const lookup = {
    people,
    agency: 'health',
    matchKeys: keys,
    databaseSize: size,
    lookups: sorted.length,
    warmupLookups: 200,
    latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: round4(sorted[sorted.length - 1]) },
    statuses: output.statuses,
    adapterRssMB: Math.round(output.rssBytes / 1024 / 1024),
    adapterHeapUsedMB: Math.round(output.heapUsedBytes / 1024 / 1024),
    loadSeconds: Math.round(loadSeconds),
    queries:
      'people drawn evenly from the source: a third as held, a third with the given name misspelt or nicknamed, a third with day and month swapped or a new address; plus a tenth more for people the source does not hold; one lookup at a time',
    command: `node -r @swc-node/register bench/matching-lookup.bench.ts --people ${people} --lookups ${lookups}`,
    measuredAt: new Date().toISOString(),
  };
  mergeMatchingResult('lookup', lookup);
  return lookup;
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { people: { type: 'string' }, lookups: { type: 'string' }, keep: { type: 'boolean' } },
  });
  run({
    people: values.people ? Number(values.people) : undefined,
    lookups: values.lookups ? Number(values.lookups) : undefined,
    keep: values.keep,
  }).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      progress(`wrote ${MATCHING_RESULTS}`);
    },
    (e: unknown) => {
      progress(`lookup failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
