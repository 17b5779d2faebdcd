/**
 * Audit log benchmark: append throughput with 8 concurrent writers (8 chains and a single chain,
 * single appends and appendMany batches) and verification speed over 1,000,000 entries.
 * Uses its own database (`mash_bench_audit`, created if missing, wiped on every run).
 *
 *   node -r @swc-node/register bench/audit.bench.ts      # writes bench/results/audit.json
 *   AUDIT_BENCH_VERIFY_ENTRIES=200000 …                  # a smaller verification run
 *   AUDIT_BENCH_ONLY=verify …                            # skip the append scenarios
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import {
  AuditLog,
  AuditSchema1700000000000,
  GENESIS_PREV_HASH,
  entryHash,
  insertParams,
  INSERT_SQL,
  verifyChain,
  type AuditEntryBody,
  type AuditEventInput,
  type AuditLogOptions,
} from '@mash/audit';

const DB = 'mash_bench_audit';
const ADMIN_URL = process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const WRITERS = 8;

const log = (msg: string): void => void process.stderr.write(`[audit.bench] ${msg}\n`);

function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

async function freshDatabase(): Promise<string> {
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
  const ds = new DataSource({ type: 'postgres', url, migrations: [AuditSchema1700000000000] });
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
  return url;
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
        const body: AuditEntryBody = {
          chainId: `verify-${c}`,
          chainSeq: s,
          occurredAt: new Date(base + s * 1000).toISOString(),
          partnership: `verify-${c}`,
          actorType: 'user',
          actorId: e.actorId,
          actorRole: e.actorRole ?? null,
          action: e.action,
          outcome: e.outcome,
          caseId: e.caseId ?? null,
          queryId: e.queryId ?? null,
          agency: e.agency ?? null,
          subjectPseudonyms: e.subjectPseudonyms ?? [],
          correlationId: e.correlationId ?? null,
          details: e.details ?? {},
          prevHash,
        };
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

export async function run(): Promise<object> {
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
      const out = join(__dirname, 'results', 'audit.json');
      await mkdir(join(__dirname, 'results'), { recursive: true });
      await writeFile(out, `${JSON.stringify(figures, null, 2)}\n`);
      log(`wrote ${out}`);
    })
    .catch((err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    });
}
