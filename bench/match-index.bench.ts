/**
 * How soon a person added to a source reaches the adapter's match index (issue 18): a seeded police
 * source, the police connector file and a `MatchIndexer` polling its change feed every second, as
 * a running adapter does. Inserts people one at a time (as the agency's own system would) and times
 * each until its keys are in the store; also times the first, full pass. Writes
 * bench/results/match-index.json.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { MatchIndexer } from '@mash/adapter-sdk';
import { exampleConnector } from '../scripts/seed/connectors';
import {
  databaseUrl,
  dropDatabase,
  readerUrl,
  sourceDatabaseName,
  storeDatabaseName,
  storeDataSource,
} from '../scripts/seed/database';
import { runSeed } from '../scripts/seed/run';
import { percentile } from './matching-results';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'mash_bench_index_';
const PEOPLE = Number(process.env.BENCH_INDEX_PEOPLE ?? 5000);
const INSERTS = 20;
const POLL_MS = 1000;

async function main(): Promise<void> {
  const out = await mkdtemp(join(tmpdir(), 'mash-index-bench-'));
  const log = (m: string) => process.stderr.write(`[match-index-bench] ${m}\n`);
  try {
    await runSeed({
      people: PEOPLE,
      seed: 5,
      serverUrl: SERVER,
      dbPrefix: PREFIX,
      out,
      asOf: '2026-12-01',
      log: () => undefined,
    });
    const store = storeDataSource(databaseUrl(SERVER, storeDatabaseName(PREFIX, 'police')));
    await store.initialize();
    const { connector, close } = exampleConnector(
      'police',
      readerUrl(SERVER, PREFIX, 'police'),
      store,
    );
    const source = new Client({
      connectionString: databaseUrl(SERVER, sourceDatabaseName(PREFIX, 'police')),
    });
    await source.connect();
    const sut = new MatchIndexer(store, connector.changeFeed!);
    try {
      const t0 = Date.now();
      const first = await sut.sync();
      const fullPassMs = Date.now() - t0;
      log(`first pass indexed ${first.indexed} records in ${fullPassMs} ms`);
      sut.start(POLL_MS);
      const lags: number[] = [];
      for (let i = 0; i < INSERTS; i++) {
        const id = randomUUID();
        await source.query(
          `INSERT INTO person (person_id, surname, forename, date_of_birth, sex) VALUES ($1, $2, 'Bench', '2016-01-01', 'U')`,
          [id, `Indexlag${i}`],
        );
        const inserted = Date.now();
        for (;;) {
          const found = await store.query(
            'SELECT 1 FROM match_key WHERE subject_ref = $1 LIMIT 1',
            [id],
          );
          if ((found as unknown[]).length > 0) break;
          await new Promise((r) => setTimeout(r, 10));
        }
        lags.push(Date.now() - inserted);
        // Spread the inserts across the poll cycle.
        await new Promise((r) => setTimeout(r, 137));
      }
      const sorted = [...lags].sort((a, b) => a - b);
      const result = {
        generatedAt: new Date().toISOString(),
        sourceRecords: first.indexed,
        pollMs: POLL_MS,
        firstFullPassMs: fullPassMs,
        insertToIndexedMs: {
          samples: lags.length,
          p50: percentile(sorted, 50),
          p95: percentile(sorted, 95),
          max: sorted[sorted.length - 1],
        },
      };
      mkdirSync(join(__dirname, 'results'), { recursive: true });
      writeFileSync(
        join(__dirname, 'results', 'match-index.json'),
        `${JSON.stringify(result, null, 2)}\n`,
      );
      log(JSON.stringify(result));
    } finally {
      await sut.stop();
      await source.end();
      await close();
      await store.destroy();
    }
  } finally {
    for (const agency of ['police', 'health', 'education', 'social-care'] as const) {
      await dropDatabase(SERVER, sourceDatabaseName(PREFIX, agency));
      await dropDatabase(SERVER, storeDatabaseName(PREFIX, agency));
    }
    await rm(out, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  process.stderr.write(
    `[match-index-bench] failed: ${e instanceof Error ? e.message : String(e)}\n`,
  );
  process.exit(1);
});
