/**
 * Audit log benchmark: append throughput with 8 concurrent writers (8 chains and a single chain,
 * single appends and appendMany batches) and verification speed over 1,000,000 entries.
 * Uses its own database (`mash_bench_audit`, created if missing, wiped on every run).
 *
 *   node -r @swc-node/register bench/audit.bench.ts      # writes bench/results/audit.json
 *   AUDIT_BENCH_VERIFY_ENTRIES=200000 …                  # a smaller verification run
 *   AUDIT_BENCH_ONLY=verify …                            # skip the append scenarios
 *   AUDIT_BENCH_ONLY=sequence …                          # only the sequencer on a pre-filled table
 *
 * The sequence scenario is the broker's write path under load: entries queued in `audit_pending`
 * (as a business transaction does) and moved onto the chain by `AuditSequencer`, on an
 * `audit_event` pre-filled with AUDIT_BENCH_PREFILL (default 150,000) entries shaped like a
 * federated query's (25 per query sharing case, query, correlation id and pseudonyms). It runs
 * every audit migration, so it measures the indexes the schema has now; about a minute.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AUDIT_MIGRATIONS,
  AuditLog,
  AuditSequencer,
  GENESIS_PREV_HASH,
  entryFields,
  entryHash,
  insertParams,
  INSERT_SQL,
  verifyChain,
  type AuditEntryBody,
  type AuditEventInput,
  type AuditLogOptions,
} from '@mash/audit';
import { median } from './stats';

const DB = 'mash_bench_audit';
type DataSourceMigrations = Array<new () => object>;
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WRITERS = 8;

const log = (msg: string): void => void process.stderr.write(`[audit.bench] ${msg}\n`);

function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

/** A database with the audit schema as the library ships it (every migration), or `migrations`. */
async function freshDatabase(migrations: DataSourceMigrations = AUDIT_MIGRATIONS): Promise<string> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DB]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE "${DB}"`);
  } finally {
    await admin.end();
  }
  const url = urlFor(DB);
  const c = new Client({ connectionString: url });
  await c.connect();
  await c.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  await c.end();
  const ds = new DataSource({ type: 'postgres', url, migrations });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  return url;
}

/** `e` (an event of partnership `chainId`) as the entry at `chainSeq` of its chain, after `prevHash`. */
function chained(
  e: AuditEventInput,
  chainId: string,
  chainSeq: number,
  occurredAt: Date,
  prevHash: string,
): AuditEntryBody {
  return { ...entryFields({ ...e, partnership: chainId }, occurredAt), chainSeq, prevHash };
}

function event(partnership: string, i: number): AuditEventInput {
  return {
    partnership,
    actorType: 'user',
    actorId: `analyst-${i % 50}`,
    actorRole: 'analyst',
    action: i % 3 === 0 ? 'policy.decision' : 'query.dispatched',
    outcome: i % 3 === 0 ? 'permit' : 'success',
    caseId: `case-${i % 1000}`,
    queryId: `q-${i}`,
    agency: ['police', 'health', 'education', 'social-care'][i % 4],
    subjectPseudonyms: ['a'.repeat(64)],
    correlationId: `corr-${i}`,
    details: { purpose: 'mash-triage', reasons: ['agreement:dsa-1', 'consent:not-sought'] },
  };
}

function quantile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? 0
    : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface AppendFigures {
  scenario: string;
  strategy?: string;
  coalesce?: boolean;
  writers: number;
  chains: number;
  batchSize: number;
  entries: number;
  seconds: number;
  appendsPerSecond: number;
  callLatencyMs: { p50: number; p99: number };
}

async function appendScenario(
  pool: Pool,
  chains: number,
  batchSize: number,
  callsPerWriter: number,
  options: AuditLogOptions,
): Promise<AppendFigures> {
  const sut = new AuditLog(pool, options);
  const latencies: number[] = [];
  let n = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const partnership = `bench-${chains === 1 ? 0 : w % chains}`;
      for (let c = 0; c < callsPerWriter; c++) {
        const batch = Array.from({ length: batchSize }, (_, b) => event(partnership, n + b));
        n += batchSize;
        const t0 = process.hrtime.bigint();
        if (batchSize === 1) await sut.append(batch[0]);
        else await sut.appendMany(batch);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const entries = WRITERS * callsPerWriter * batchSize;
  const figures = {
    scenario: `${WRITERS} writers, ${chains === 1 ? 'one chain' : `${chains} chains`}, ${batchSize === 1 ? 'append' : `appendMany(${batchSize})`}, ${options.strategy}${options.coalesce ? ' + coalesce' : ''}`,
    strategy: options.strategy,
    coalesce: options.coalesce,
    writers: WRITERS,
    chains,
    batchSize,
    entries,
    seconds: round(seconds),
    appendsPerSecond: Math.round(entries / seconds),
    callLatencyMs: { p50: round(quantile(latencies, 0.5)), p99: round(quantile(latencies, 0.99)) },
  };
  log(
    `${figures.scenario}: ${figures.appendsPerSecond} entries/s (call p50 ${figures.callLatencyMs.p50} ms, p99 ${figures.callLatencyMs.p99} ms)`,
  );
  return figures;
}

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Valid chains generated in Node and loaded with multi-row inserts (no per-entry round trip). */
async function bulkLoad(pool: Pool, total: number, chains: number): Promise<number> {
  const started = Date.now();
  const perChain = Math.ceil(total / chains);
  const batch = 10_000;
  const base = Date.parse('2026-01-05T08:00:00Z');
  let loaded = 0;
  for (let c = 0; c < chains; c++) {
    let prevHash = GENESIS_PREV_HASH;
    for (let from = 1; from <= perChain && loaded < total; from += batch) {
      const rows: Array<AuditEntryBody & { hash: string }> = [];
      for (let s = from; s < from + batch && s <= perChain && loaded + rows.length < total; s++) {
        const e = event(`verify-${c}`, s);
        const body = chained(e, `verify-${c}`, s, new Date(base + s * 1000), prevHash);
        const hash = entryHash(body);
        rows.push({ ...body, hash });
        prevHash = hash;
      }
      await pool.query(INSERT_SQL, insertParams(rows));
      loaded += rows.length;
      if (loaded % 100_000 < batch)
        log(
          `bulk load: ${loaded.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} entries`,
        );
    }
  }
  return (Date.now() - started) / 1000;
}

/** The four agencies of the example partnership that a query in this bench asks. */
const AGENCIES = ['police', 'health', 'education', 'social-care'];

/** The 25 entries a federated query to four agencies writes: who writes each, and what. */
const QUERY_ENTRIES: ReadonlyArray<
  [AuditEventInput['actorType'], string, AuditEventInput['outcome']]
> = [
  ['user', 'query.requested', 'success'],
  ...(AGENCIES.flatMap((_, i) => [
    ['service', 'policy.decision', i === 3 ? 'deny' : 'permit'],
    ['service', 'query.dispatched', 'success'],
    ['agency', 'query.answer.received', 'success'],
    ['service', 'query.match.resolved', 'success'],
    ['agency', 'agency.records.released', 'success'],
  ]) as Array<[AuditEventInput['actorType'], string, AuditEventInput['outcome']]>),
  ['user', 'query.results.viewed', 'success'],
  ['user', 'case.viewed', 'success'],
  ['service', 'query.completed', 'success'],
  ['user', 'case.chronology.viewed', 'success'],
];

/** A realistic-sized case population: ids and two pseudonym tokens each. */
function makeCases(n: number): Array<{ id: string; pseudonyms: string[] }> {
  return Array.from({ length: n }, () => ({
    id: randomUUID(),
    pseudonyms: [randomBytes(32).toString('hex'), randomBytes(32).toString('hex')],
  }));
}

/** One federated query's entries on `partnership`, for case `c`, by analyst `analyst`. */
function queryEvents(
  partnership: string,
  c: { id: string; pseudonyms: string[] },
  analyst: number,
): AuditEventInput[] {
  const correlationId = randomUUID();
  const queryId = randomUUID();
  return QUERY_ENTRIES.map(([actorType, action, outcome], i) => {
    const agency = i === 0 || i > 20 ? null : AGENCIES[Math.floor((i - 1) / 5)];
    return {
      partnership,
      actorType,
      actorId:
        actorType === 'user'
          ? `analyst-${analyst}`
          : actorType === 'agency'
            ? `adapter-${agency}`
            : 'broker',
      actorRole: actorType === 'user' ? 'analyst' : null,
      action,
      outcome,
      caseId: c.id,
      queryId,
      agency,
      subjectPseudonyms: c.pseudonyms,
      correlationId,
      details: {
        purpose: 'mash-triage',
        requestedBy: `analyst-${analyst}`,
        caseStatus: 'open',
        agreement: 'dsa-2026-01',
        reasons: [
          'agreement:dsa-2026-01',
          'lawful-basis:children-act-1989-s47',
          'consent:not-sought',
        ],
        fields: ['identity', 'addresses', 'involvement', 'risk-flags', 'contacts'],
        counts: { matched: 1, candidates: 3, records: 12 },
        decisionId: randomUUID(),
        signedHash: randomBytes(32).toString('hex'),
      },
    };
  });
}

/** `total` valid chained entries on `chains` partnerships, each with a pending id, loaded in bulk. */
async function prefill(pool: Pool, total: number, chains: number): Promise<void> {
  const cases = makeCases(Math.max(1, Math.round(total / 75)));
  const base = Date.now() - 90 * 86_400_000;
  const step = (90 * 86_400_000) / total;
  const heads = Array.from({ length: chains }, () => ({ seq: 0, hash: GENESIS_PREV_HASH }));
  let loaded = 0;
  let rows: Array<AuditEntryBody & { hash: string; pendingId: number }> = [];
  while (loaded < total) {
    const chain = (loaded / 25) % chains;
    const partnership = `partnership-${chain}`;
    const events = queryEvents(
      partnership,
      cases[Math.floor(Math.random() * cases.length)],
      Math.floor(Math.random() * 200),
    );
    for (const e of events) {
      if (loaded >= total) break;
      const head = heads[chain];
      const body = chained(e, partnership, head.seq + 1, new Date(base + loaded * step), head.hash);
      const hash = entryHash(body);
      heads[chain] = { seq: body.chainSeq, hash };
      loaded++;
      rows.push({ ...body, hash, pendingId: loaded });
    }
    if (rows.length >= 5000 || loaded >= total) {
      await pool.query(INSERT_SQL, insertParams(rows));
      rows = [];
      if (loaded % 25_000 < 25 || loaded >= total)
        log(`prefill: ${loaded.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')} entries`);
    }
  }
  // Queued entries get ids after the pre-filled ones, as on a live broker.
  await pool.query(`SELECT setval('audit_pending_id_seq', $1)`, [total]);
}

interface SequenceFigures {
  migrations: string[];
  prefilled: number;
  queriesPerRound: number;
  entriesPerRound: number;
  rounds: number;
  indexes: string[];
  tableMBAfterPrefill: number;
  indexesMBAfterPrefill: number;
  /** Per round: entries moved from audit_pending onto the chain per second by AuditSequencer. */
  sequencedPerSecond: number[];
  medianSequencedPerSecond: number;
  /** Per round: entries queued per second (one transaction per query, 25 entries each). */
  enqueuedPerSecond: number[];
  medianEnqueuedPerSecond: number;
  loadAverageAtEnd: number;
}

/** Sequenced appends per second on a pre-filled table: the cost of `audit_event`'s indexes. */
async function sequenceScenario(): Promise<SequenceFigures> {
  const total = Number(process.env.AUDIT_BENCH_PREFILL ?? 150_000);
  const rounds = Number(process.env.AUDIT_BENCH_SEQUENCE_ROUNDS ?? 7);
  const queriesPerRound = 400;
  const chains = 4;
  // AUDIT_BENCH_MIGRATIONS=n: only the first n audit migrations, to measure an earlier schema.
  const migrations = AUDIT_MIGRATIONS.slice(
    0,
    Number(process.env.AUDIT_BENCH_MIGRATIONS ?? AUDIT_MIGRATIONS.length),
  );
  const url = await freshDatabase(migrations);
  const pool = new Pool({ connectionString: url, max: 4 });
  try {
    log(`sequence: pre-filling ${total.toLocaleString('en-GB')} entries on ${chains} chains…`);
    await prefill(pool, total, chains);
    await pool.query('VACUUM ANALYZE audit_event');
    const { rows: sizes } = await pool.query<{ t: string; i: string }>(
      `SELECT pg_table_size('audit_event')::text AS t, pg_indexes_size('audit_event')::text AS i`,
    );
    const { rows: idx } = await pool.query<{ d: string }>(
      `SELECT indexdef AS d FROM pg_indexes WHERE tablename IN ('audit_event', 'audit_pending') ORDER BY tablename, indexname`,
    );
    const writer = new AuditLog(pool, { sequencing: 'deferred' });
    const cases = makeCases(2000);
    const sequencer = new AuditSequencer(pool, { batchSize: 1000 });
    const sequenced: number[] = [];
    const enqueued: number[] = [];
    for (let r = 0; r <= rounds; r++) {
      // Four concurrent "requests", each a transaction queueing one query's 25 entries.
      const t0 = process.hrtime.bigint();
      let next = 0;
      await Promise.all(
        Array.from({ length: 4 }, async () => {
          while (next < queriesPerRound) {
            const q = next++;
            const client = await pool.connect();
            try {
              await client.query('BEGIN');
              await writer.enqueue(
                queryEvents(`partnership-${q % chains}`, cases[q % cases.length], q % 200),
                client,
              );
              await client.query('COMMIT');
            } catch (err) {
              await client.query('ROLLBACK').catch(() => undefined);
              throw err;
            } finally {
              client.release();
            }
          }
        }),
      );
      const t1 = process.hrtime.bigint();
      let moved = 0;
      for (let n = await sequencer.runOnce(); n !== null && n > 0; n = await sequencer.runOnce())
        moved += n;
      const t2 = process.hrtime.bigint();
      const entries = queriesPerRound * QUERY_ENTRIES.length;
      if (moved !== entries) throw new Error(`sequenced ${moved} of ${entries} entries`);
      const enq = Math.round(entries / (Number(t1 - t0) / 1e9));
      const seq = Math.round(entries / (Number(t2 - t1) / 1e9));
      log(
        `sequence ${r === 0 ? 'warm-up' : `round ${r}/${rounds}`}: ${seq} entries/s sequenced, ${enq} entries/s queued (load ${os.loadavg()[0].toFixed(1)})`,
      );
      if (r > 0) {
        sequenced.push(seq);
        enqueued.push(enq);
      }
    }
    await sequencer.stop();
    return {
      migrations: migrations.map((m) => m.name),
      prefilled: total,
      queriesPerRound,
      entriesPerRound: queriesPerRound * QUERY_ENTRIES.length,
      rounds,
      indexes: idx.map((i) => i.d),
      tableMBAfterPrefill: round(Number(sizes[0].t) / 1e6),
      indexesMBAfterPrefill: round(Number(sizes[0].i) / 1e6),
      sequencedPerSecond: sequenced,
      medianSequencedPerSecond: Math.round(median(sequenced)),
      enqueuedPerSecond: enqueued,
      medianEnqueuedPerSecond: Math.round(median(enqueued)),
      loadAverageAtEnd: os.loadavg()[0],
    };
  } finally {
    await pool.end();
  }
}

const RESULTS = join(__dirname, 'results', 'audit.json');

export async function run(): Promise<object> {
  if (process.env.AUDIT_BENCH_ONLY === 'sequence') {
    // Keep the other scenarios' last figures: only the sequence figures are new.
    const previous = await readFile(RESULTS, 'utf8')
      .then((t) => JSON.parse(t) as Record<string, unknown>)
      .catch(() => ({}));
    const sequence = await sequenceScenario();
    return { ...previous, sequence };
  }
  const url = await freshDatabase();
  const pool = new Pool({ connectionString: url, max: WRITERS });
  try {
    const append: AppendFigures[] = [];
    const onlyVerify = process.env.AUDIT_BENCH_ONLY === 'verify';
    const scenarios: Array<[number, number, number, AuditLogOptions]> = [];
    for (const chains of [8, 1]) {
      scenarios.push(
        [chains, 1, 250, { strategy: 'optimistic', coalesce: true }],
        [chains, 1, 100, { strategy: 'optimistic', coalesce: false }],
        [chains, 1, 100, { strategy: 'lock', coalesce: false }],
        [chains, 100, 25, { strategy: 'optimistic', coalesce: true }],
        [chains, 100, 25, { strategy: 'lock', coalesce: false }],
      );
    }
    for (const [chains, batchSize, calls, options] of onlyVerify ? [] : scenarios) {
      await appendScenario(pool, chains, batchSize, 5, options); // warm-up
      append.push(await appendScenario(pool, chains, batchSize, calls, options));
    }

    const total = Number(process.env.AUDIT_BENCH_VERIFY_ENTRIES ?? 1_000_000);
    const chains = 8;
    await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await pool.end();
    await freshDatabase();
    const loadPool = new Pool({ connectionString: url, max: 4 });
    let verify: object;
    try {
      log(`generating ${total.toLocaleString('en-GB')} valid entries on ${chains} chains…`);
      const loadSeconds = await bulkLoad(loadPool, total, chains);
      await loadPool.query('VACUUM ANALYZE audit_event');
      const runs: number[] = [];
      const cpu: number[] = [];
      let checked = 0;
      for (let r = 0; r < 3; r++) {
        const t0 = process.hrtime.bigint();
        const cpu0 = process.cpuUsage();
        let lastReport = 0;
        const result = await verifyChain(loadPool, {
          onProgress: (n) => {
            if (n - lastReport >= 200_000) {
              lastReport = n;
              log(`verify run ${r + 1}: ${n.toLocaleString('en-GB')} checked`);
            }
          },
        });
        const s = Number(process.hrtime.bigint() - t0) / 1e9;
        const used = process.cpuUsage(cpu0);
        cpu.push((used.user + used.system) / 1e6);
        if (!result.ok)
          throw new Error(
            `bench chain failed verification: ${JSON.stringify(result.firstFailure)}`,
          );
        checked = result.checked;
        runs.push(s);
        log(
          `verify run ${r + 1}: ${checked.toLocaleString('en-GB')} entries in ${round(s)} s (verifier CPU ${round(cpu[cpu.length - 1])} s, load ${os.loadavg()[0].toFixed(1)})`,
        );
      }
      runs.sort((a, b) => a - b);
      verify = {
        entries: checked,
        chains,
        batchSize: 10_000,
        bulkLoadSeconds: round(loadSeconds),
        runsSeconds: runs.map(round),
        /** Node process CPU per run (user + system): the verifier's own cost, less sensitive to a busy host. */
        verifierCpuSeconds: cpu.map(round),
        loadAverageAtEnd: os.loadavg()[0],
        medianSeconds: round(runs[1]),
        entriesPerSecond: Math.round(checked / runs[1]),
      };
    } finally {
      await loadPool.end();
    }
    return {
      machine: { cpus: os.cpus().length, node: process.version, loadAverage: os.loadavg() },
      postgres: (await serverVersion(url)) ?? 'unknown',
      append,
      verify,
      sequence: await sequenceScenario(),
      targets: { appendsPerSecond: 5000, verifyMillionSeconds: 10 },
    };
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function serverVersion(url: string): Promise<string | undefined> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    const { rows } = await c.query<{ v: string }>(
      `SELECT current_setting('server_version') || ', synchronous_commit=' || current_setting('synchronous_commit') AS v`,
    );
    return rows[0]?.v;
  } finally {
    await c.end();
  }
}

if (require.main === module) {
  run()
    .then(async (figures) => {
      const out = RESULTS;
      await mkdir(join(__dirname, 'results'), { recursive: true });
      await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
      log(`wrote ${out}`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
