import { MatchIndexer, type ChangeFeed } from '@mash/adapter-sdk';
import type { SourceCandidate } from '@mash/matching';
import type { DataSource } from 'typeorm';
import {
  databaseUrl,
  dropDatabase,
  ensureDatabase,
  storeDataSource,
} from '../../scripts/seed/database';

/*
 * The match index following a source's change feed, against the real PostgreSQL store. The feed
 * is a list of records with change times, answering `changedSince` as the connectors' SQL does
 * (`changed_at >= since`), and counting what each pass asked it to load.
 */

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATABASE = `mash_scratch_index_${process.env.JEST_WORKER_ID ?? '1'}`;
const OVERLAP_MS = 10_000;
const T0 = Date.parse('2026-12-01T10:00:00.000Z');

interface SourceRow {
  ref: string;
  changedAt: Date;
  familyName: string;
}

class ListFeed implements ChangeFeed {
  readonly rows: SourceRow[] = [];
  loaded: string[] = [];

  async changedSince(since: Date | null) {
    return this.rows
      .filter((r) => since === null || r.changedAt.getTime() >= since.getTime())
      .map(({ ref, changedAt }) => ({ ref, changedAt }));
  }

  async loadCandidates(refs: string[]): Promise<SourceCandidate[]> {
    this.loaded.push(...refs);
    return this.rows
      .filter((r) => refs.includes(r.ref))
      .map((r) => ({
        ref: r.ref,
        variants: [
          {
            givenName: 'Ada',
            familyName: r.familyName,
            dateOfBirth: '2015-03-04',
            postcode: 'LS1 4AP',
          },
        ],
      }));
  }
}

describe('MatchIndexer', () => {
  let store: DataSource;
  let now: number;
  let feed: ListFeed;
  let indexer: MatchIndexer;

  const indexedFamily = async (ref: string) =>
    (await store.query(`SELECT key FROM match_key WHERE subject_ref = $1`, [ref])) as unknown[];

  beforeAll(async () => {
    await dropDatabase(SERVER, DATABASE);
    await ensureDatabase(SERVER, DATABASE);
    store = storeDataSource(databaseUrl(SERVER, DATABASE));
    await store.initialize();
    await store.runMigrations();
  });

  afterAll(async () => {
    await store?.destroy();
    await dropDatabase(SERVER, DATABASE);
  });

  beforeEach(async () => {
    await store.query(`TRUNCATE match_key, match_index_state`);
    now = T0;
    feed = new ListFeed();
    indexer = new MatchIndexer(store, feed, { overlapMs: OVERLAP_MS, now: () => now });
  });

  it('stops re-reading a bulk load stamped with one time once the overlap has passed', async () => {
    // A bulk load: one transaction, one change time for every record.
    const loadedAt = new Date(T0 - 1_000);
    for (let i = 0; i < 50; i++)
      feed.rows.push({ ref: `p${i}`, changedAt: loadedAt, familyName: `Family${i}` });

    await expect(indexer.sync()).resolves.toEqual({ indexed: 50, changedUpTo: loadedAt });
    expect(await indexedFamily('p7')).not.toHaveLength(0);

    // Within the overlap a pass looks back over it (a late commit may still appear).
    now = T0 + 5_000;
    expect((await indexer.sync()).indexed).toBe(50);

    // Past it, nothing has changed and nothing is read again.
    now = T0 + 20_000;
    feed.loaded = [];
    await expect(indexer.sync()).resolves.toEqual({ indexed: 0, changedUpTo: loadedAt });
    await expect(indexer.sync()).resolves.toEqual({ indexed: 0, changedUpTo: loadedAt });
    expect(feed.loaded).toEqual([]);

    // A record changed later is indexed, and only it.
    const changed = new Date(T0 + 19_000);
    feed.rows[3] = { ref: 'p3', changedAt: changed, familyName: 'Renamed' };
    await expect(indexer.sync()).resolves.toEqual({ indexed: 1, changedUpTo: changed });
    expect(feed.loaded).toEqual(['p3']);
  });

  it('still indexes a late commit whose change time is older than the watermark, within the overlap', async () => {
    feed.rows.push({ ref: 'early', changedAt: new Date(T0 - 2_000), familyName: 'Early' });
    feed.rows.push({ ref: 'newest', changedAt: new Date(T0 - 500), familyName: 'Newest' });
    await indexer.sync();

    // Committed now, stamped before the watermark.
    feed.rows.push({ ref: 'late', changedAt: new Date(T0 - 1_000), familyName: 'Late' });
    now = T0 + 3_000;
    await indexer.sync();
    expect(await indexedFamily('late')).not.toHaveLength(0);
  });
});
