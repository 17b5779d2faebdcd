/**
 * Identity matching on the project's own synthetic population, through each agency's real
 * connector (blocking in PostgreSQL, the model the seed fitted, the adapter's bands).
 *
 *   node -r @swc-node/register bench/matching-synthetic.bench.ts [--people 100000] [--keep]
 *
 * Seeds `mash_bench_*` (100,000 people by default) and, for every agency, looks up each child the
 * truth says it holds, using ANOTHER agency's record of that child as the query (the broker only
 * ever knows a child as some agency recorded them, typos, nicknames, stale surnames, swapped
 * dates and all): health is asked with education's record, every other agency with health's.
 * Children the view agency holds and the target does not are asked too: any `match` for them is
 * a wrong-child disclosure. The truth is read only to score the answers.
 * Writes `synthetic` into bench/results/matching.json and drops the databases unless --keep.
 */
import { AGENCIES, type Agency, type SubjectCriteria } from '@mash/contracts';
import type { MatchSubject, Queryable, SourceCandidate } from '@mash/matching';
import type { SourceConnector } from '@mash/adapter-sdk';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DataSource } from 'typeorm';
import { loadEducationCandidates } from '../apps/adapter-education/src/source';
import { loadHealthCandidates } from '../apps/adapter-health/src/source';
import { loadPoliceCandidates } from '../apps/adapter-police/src/source';
import { exampleConnector } from '../scripts/seed/connectors';
import { loadSocialCareCandidates } from '../apps/adapter-social-care/src/source';
import {
  databaseUrl,
  dropDatabase,
  sourceDatabaseName,
  readerUrl,
  sourceDataSource,
  storeDatabaseName,
  storeDataSource,
} from '../scripts/seed/database';
import { runSeed } from '../scripts/seed/run';
import { mergeMatchingResult, MATCHING_RESULTS, progress, round4 } from './matching-results';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'mash_bench_';
const OUT = join(__dirname, '..', '.local', 'bench', 'demo');
const CONCURRENCY = 8;
const ABSENT_PER_AGENCY = 5000;

const LOADERS: Record<Agency, (db: Queryable, refs: string[]) => Promise<SourceCandidate[]>> = {
  police: loadPoliceCandidates,
  health: loadHealthCandidates,
  education: loadEducationCandidates,
  'social-care': loadSocialCareCandidates,
};
/** The connector each adapter runs: its source read-only, its match index in its own database. */
const CONNECTORS: Record<
  Agency,
  (store: DataSource) => { connector: SourceConnector; close: () => Promise<void> }
> = {
  police: (store) => exampleConnector('police', readerUrl(SERVER, PREFIX, 'police'), store),
  health: (store) => exampleConnector('health', readerUrl(SERVER, PREFIX, 'health'), store),
  education: (store) =>
    exampleConnector('education', readerUrl(SERVER, PREFIX, 'education'), store),
  'social-care': (store) =>
    exampleConnector('social-care', readerUrl(SERVER, PREFIX, 'social-care'), store),
};
/** Whose record of the child the broker is taken to know when asking each agency. */
const VIEW_OF: Record<Agency, Agency> = {
  police: 'health',
  health: 'education',
  education: 'health',
  'social-care': 'health',
};

interface TruthRecord {
  agency: Agency;
  ref: string;
  personId: string;
  isChild: boolean;
  corruptions: string[];
}

function readTruth(file: string): TruthRecord[] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [agency, ref, personId, , isChild, , corruptions] = line.split(',');
      return {
        agency: agency as Agency,
        ref,
        personId,
        isChild: isChild === 'true',
        corruptions: corruptions ? corruptions.split(';') : [],
      };
    });
}

/** A record as search criteria: what a referral built from it would carry. */
function toCriteria(s: MatchSubject): SubjectCriteria | undefined {
  if (!s.givenName || !s.familyName || !s.dateOfBirth) return undefined;
  const identifiers = Object.fromEntries(
    Object.entries(s.identifiers ?? {}).filter(([, v]) => typeof v === 'string' && v.length > 0),
  );
  const sex =
    s.sex === 'male' || s.sex === 'M' || s.sex === '1'
      ? 'male'
      : s.sex === 'female' || s.sex === 'F' || s.sex === '2'
        ? 'female'
        : undefined;
  return {
    givenName: s.givenName,
    familyName: s.familyName,
    dateOfBirth: s.dateOfBirth,
    ...(sex ? { sex } : {}),
    ...(s.postcode ? { postcode: s.postcode } : {}),
    ...(s.address ? { address: s.address } : {}),
    ...(Object.keys(identifiers).length > 0 ? { identifiers } : {}),
  };
}

interface Tally {
  queries: number;
  matchCorrect: number;
  matchWrong: number;
  possible: number;
  noMatch: number;
  absentQueries: number;
  absentMatched: number;
  absentPossible: number;
  deterministic: number;
  candidates: number[];
}

async function pool<T>(
  items: readonly T[],
  n: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}

export async function run(options: { people?: number; keep?: boolean } = {}): Promise<object> {
  const people = options.people ?? Number(process.env.MATCHING_BENCH_PEOPLE ?? 100_000);
  const t0 = Date.now();
  const seed = await runSeed({
    people,
    seed: 7,
    serverUrl: SERVER,
    dbPrefix: PREFIX,
    out: OUT,
    asOf: '2026-11-01',
    log: (m) => progress(`seed: ${m}`),
  });
  const seedSeconds = (Date.now() - t0) / 1000;
  const truth = readTruth(seed.truthFile);
  const personOf = new Map(truth.map((t) => [`${t.agency}|${t.ref}`, t.personId]));
  const holds = new Map<Agency, Set<string>>(AGENCIES.map((a) => [a, new Set<string>()]));
  for (const t of truth) holds.get(t.agency)!.add(t.personId);

  const sources = new Map<Agency, DataSource>();
  const stores = new Map<Agency, DataSource>();
  for (const agency of AGENCIES) {
    const ds = sourceDataSource(agency, databaseUrl(SERVER, sourceDatabaseName(PREFIX, agency)));
    await ds.initialize();
    sources.set(agency, ds);
    const store = storeDataSource(databaseUrl(SERVER, storeDatabaseName(PREFIX, agency)));
    await store.initialize();
    stores.set(agency, store);
  }
  const perAgency: Record<string, object> = {};
  let excludedTwinConfused = 0;
  const total: Tally = emptyTally();
  try {
    for (const target of AGENCIES) {
      const view = VIEW_OF[target];
      // The view agency's first record of each child (a duplicate record is not a second query).
      const seen = new Set<string>();
      const present: TruthRecord[] = [];
      const absent: TruthRecord[] = [];
      for (const t of truth) {
        if (t.agency !== view || !t.isChild || seen.has(t.personId)) continue;
        seen.add(t.personId);
        // A record holding the other twin's name and birth date asks for the other twin: finding
        // that twin is right, so it cannot serve as a query for this child.
        if (t.corruptions.includes('twin-confusion')) {
          excludedTwinConfused++;
          continue;
        }
        if (holds.get(target)!.has(t.personId)) present.push(t);
        else if (absent.length < ABSENT_PER_AGENCY) absent.push(t);
      }
      const queries = new Map<string, SubjectCriteria>();
      const viewDb = sources.get(view)!;
      const all = [...present, ...absent];
      for (let i = 0; i < all.length; i += 5000) {
        const batch = all.slice(i, i + 5000);
        for (const c of await LOADERS[view](
          viewDb,
          batch.map((b) => b.ref),
        )) {
          const criteria = toCriteria(c.variants[0]);
          if (criteria) queries.set(c.ref, criteria);
        }
      }
      const { connector, close } = CONNECTORS[target](stores.get(target)!);
      const tally = emptyTally();
      let done = 0;
      const started = Date.now();
      await pool(all, CONCURRENCY, async (t) => {
        const criteria = queries.get(t.ref);
        if (!criteria) return;
        const isPresent = holds.get(target)!.has(t.personId);
        const r = await connector.findSubject(criteria);
        if (isPresent) {
          tally.queries++;
          if (r.status === 'match') {
            if (personOf.get(`${target}|${r.subjectRef}`) === t.personId) tally.matchCorrect++;
            else tally.matchWrong++;
            if (r.method.startsWith('deterministic')) tally.deterministic++;
          } else if (r.status === 'possible-match') tally.possible++;
          else tally.noMatch++;
        } else {
          tally.absentQueries++;
          if (r.status === 'match') tally.absentMatched++;
          else if (r.status === 'possible-match') tally.absentPossible++;
        }
        if (++done % 5000 === 0)
          progress(
            `${target}: ${done}/${all.length} lookups (${Math.round(((Date.now() - started) / done) * 1000) / 1000} ms each)`,
          );
      });
      await close();
      perAgency[target] = { queriedWith: view, ...summarise(tally) };
      progress(`${target}: ${JSON.stringify(perAgency[target])}`);
      for (const k of Object.keys(total) as Array<keyof Tally>) {
        if (k !== 'candidates') (total[k] as number) += tally[k] as number;
      }
    }
  } finally {
    for (const ds of [...sources.values(), ...stores.values()]) await ds.destroy();
    if (!options.keep) {
      for (const agency of AGENCIES) {
        await dropDatabase(SERVER, sourceDatabaseName(PREFIX, agency));
        await dropDatabase(SERVER, storeDatabaseName(PREFIX, agency));
      }
      progress('dropped the bench databases');
    }
  }
  const synthetic = {
    people,
    children: seed.children,
    records: seed.records,
    querySet:
      "each child the truth says the agency holds, asked with another agency's record of that child (health asked with education's, the others with health's), plus up to 5,000 children per agency the view agency holds and the target does not; a view record holding the other twin's identity (twin-confusion in the truth) is not used as a query",
    excludedTwinConfusedQueries: excludedTwinConfused,
    ...summarise(total),
    perAgency,
    seedSeconds: round4(seedSeconds),
    command: `node -r @swc-node/register bench/matching-synthetic.bench.ts --people ${people}`,
    measuredAt: new Date().toISOString(),
  };
  mergeMatchingResult('synthetic', synthetic);
  return synthetic;
}

function emptyTally(): Tally {
  return {
    queries: 0,
    matchCorrect: 0,
    matchWrong: 0,
    possible: 0,
    noMatch: 0,
    absentQueries: 0,
    absentMatched: 0,
    absentPossible: 0,
    deterministic: 0,
    candidates: [],
  };
}

function summarise(t: Tally): object {
  const matches = t.matchCorrect + t.matchWrong + t.absentMatched;
  const rest = t.queries - t.matchCorrect;
  return {
    queries: t.queries,
    matchBand: {
      correct: t.matchCorrect,
      wrongChild: t.matchWrong,
      absentChildMatched: t.absentMatched,
      deterministic: t.deterministic,
    },
    precision: round4(matches === 0 ? 1 : t.matchCorrect / matches),
    recall: round4(t.queries === 0 ? 0 : t.matchCorrect / t.queries),
    possible: t.possible,
    noMatch: t.noMatch,
    /** Of the present children not matched, the share answered `possible-match`. */
    possibleShareOfRest: round4(rest === 0 ? 1 : t.possible / rest),
    absent: { queries: t.absentQueries, matched: t.absentMatched, possible: t.absentPossible },
  };
}

if (require.main === module) {
  const { values } = parseArgs({
    options: { people: { type: 'string' }, keep: { type: 'boolean' } },
  });
  run({ people: values.people ? Number(values.people) : undefined, keep: values.keep }).then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      progress(`wrote ${MATCHING_RESULTS}`);
    },
    (e: unknown) => {
      progress(`failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    },
  );
}
