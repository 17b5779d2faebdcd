/**
 * Open-loop load on the whole federation, as a MASH would put it under load: cases opened for
 * children known to every agency, a manager's consent decision on each, then
 * `POST /api/v1/cases/:id/queries` at a fixed rate whatever the answers do (open loop: a slow
 * broker does not slow the offered rate down), each query followed until it is no longer pending.
 *
 *   npm run bench -- load                       # rates 5,10,20 q/s for 20 s each
 *   LOAD_RATES=50,100,200 LOAD_SECONDS=60 npm run bench -- load
 *   LOAD_URL=http://127.0.0.1:3000 npm run bench -- load   # use a federation already running
 *   LOAD_FOLLOW=sse npm run bench -- load       # follow each query by Server-Sent Events, not polling
 *   LOAD_KAFKA_RESTART=1 LOAD_RATES=20 LOAD_SECONDS=60 npm run bench -- load   # Kafka down 5 s mid-run
 *   LOAD_ADAPTER_KILL=police LOAD_FOLLOW=sse LOAD_RATES=3 LOAD_SECONDS=40 npm run bench -- load  # adapter killed
 *
 * Without LOAD_URL it brings the federation up as `npm start` does (scripts/start.mjs, with the
 * demo partnership's hourly capacity raised so that nothing queues) and stops it afterwards.
 * Writes bench/results/load.json: per rate the offered and achieved rate, POST percentiles (all,
 * accepted, refused) and time-to-complete percentiles, how many were refused (and by which bound),
 * partial or never finished, the CPU each service used (share of one core, from /proc), and what each accepted query cost in counters
 * the host's noise does not move (`workPerAcceptedQuery`: PostgreSQL transactions, buffers and rows
 * written per database group, Kafka messages; read 11 s after the rate, once PostgreSQL has
 * reported them), for comparing two versions on a shared machine. With LOAD_FOLLOW=sse each query is followed
 * through `GET /api/v1/queries/:id/events` instead of polling its view (time to complete is then
 * exact rather than to the poll interval), and the figures go to bench/results/load-sse.json, so
 * the two ways of following can be compared.
 *
 * With LOAD_KAFKA_RESTART=1 the bench runs its own single-node Kafka on LOAD_KAFKA_PORT (9292, so
 * a Kafka other work uses is left alone), stops it LOAD_KAFKA_STOP_AT seconds (10) into each rate,
 * starts it again LOAD_KAFKA_DOWN_SECONDS (5) later, and writes bench/results/load-kafka-restart.json:
 * when Kafka was back, how long until the first query sent after that completed (recovery), and
 * how many accepted queries never reached an end (lost).
 *
 * With LOAD_ADAPTER_KILL=<agency> the bench kills that agency's adapter with SIGKILL (a crash, no
 * goodbye to Kafka) LOAD_ADAPTER_KILL_AT seconds (10) into each rate; npm start restarts it, as it
 * restarts any adapter that dies. It writes bench/results/load-adapter-restart.json: when the new
 * process answered its health check, when that agency's first answer was applied after the kill,
 * and how many accepted queries never reached an end.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { KafkaEnvSchema, kafkaClientConfig } from '@mash/common';
import { parse, stringify } from 'yaml';
import { issueDevToken } from '../apps/broker/src/auth/dev-issuer';
import { openSse } from '../test/support/sse';

const ROOT = resolve(__dirname, '..');
const RATES = (process.env.LOAD_RATES ?? '5,10,20').split(',').map(Number);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 20);
/** How often an open query's view is read; a screen without Server-Sent Events polls like this. */
const POLL_MS = Number(process.env.LOAD_POLL_MS ?? 1000);
/** `poll` (the view, every POLL_MS) or `sse` (the query's event stream). */
const FOLLOW = process.env.LOAD_FOLLOW === 'sse' ? 'sse' : 'poll';
/** A query still pending this long after its POST counts as never finished. */
const GIVE_UP_MS = 60_000;
const KAFKA_RESTART = process.env.LOAD_KAFKA_RESTART === '1';
const KAFKA_PORT = Number(process.env.LOAD_KAFKA_PORT ?? 9292);
const KAFKA_STOP_AT_S = Number(process.env.LOAD_KAFKA_STOP_AT ?? 10);
const KAFKA_DOWN_S = Number(process.env.LOAD_KAFKA_DOWN_SECONDS ?? 5);
const ADAPTER_KILL = process.env.LOAD_ADAPTER_KILL;
const ADAPTER_KILL_AT_S = Number(process.env.LOAD_ADAPTER_KILL_AT ?? 10);
const log = (msg: string): void => void process.stderr.write(`[load.bench] ${msg}\n`);

interface Sample {
  /** performance.now() just before the POST. */
  sentAt?: number;
  postMs: number;
  status: number;
  /** From just before the POST to the first read showing it no longer pending. */
  completeMs?: number;
  /** performance.now() at that read. */
  doneAt?: number;
  outcome?: string;
  /** performance.now() of each agency's answer seen on the query's event stream (LOAD_FOLLOW=sse). */
  answeredAt?: number[];
  /** The agency of each of those answers, in the same order. */
  answeredBy?: string[];
}

function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
/** A part's statuses once its agency has answered (not pending, queued, denied or timed out). */
const ANSWERED = new Set(['match', 'possible-match', 'no-match', 'failed']);
const statusOf = (data: string) => (JSON.parse(data) as { status?: string }).status ?? '';
const agencyOf = (data: string) => (JSON.parse(data) as { agency?: string }).agency ?? '';
const round = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Each running process's pid and command line, from /proc. */
function* processes(): Generator<{ pid: number; cmd: string }> {
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      yield {
        pid: Number(pid),
        cmd: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' '),
      };
    } catch {
      /* the process ended meanwhile */
    }
  }
}

/** Milliseconds as seconds to a tenth, for the recovery figures. */
const tenths = (ms: number) => Math.round(ms / 100) / 10;

/** A client of the broker's database (not yet connected). */
const brokerDb = () =>
  new Client({
    connectionString: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_broker',
  });

/** CPU seconds (user + system) of each federation process, read from /proc. */
function serviceCpu(): Map<string, number> {
  const tick = 100; // USER_HZ on Linux
  const result = new Map<string, number>();
  for (const { pid, cmd } of processes()) {
    try {
      const service = /apps\/(broker|adapter-[a-z-]+)\/src\/main\.ts/.exec(cmd)?.[1];
      const name =
        service ??
        (/kafka\.Kafka/.test(cmd)
          ? 'kafka'
          : /^postgres[: ]/.test(cmd) || /\/postgres /.test(cmd)
            ? 'postgres'
            : pid === process.pid
              ? 'loadClient'
              : undefined);
      if (!name) continue;
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      // PostgreSQL's postmaster also carries its ended backends' time (cutime, cstime).
      const own = Number(fields[11]) + Number(fields[12]);
      const children = name === 'postgres' ? Number(fields[13]) + Number(fields[14]) : 0;
      const seconds = (own + children) / tick;
      result.set(name, (result.get(name) ?? 0) + seconds);
    } catch {
      /* the process ended meanwhile */
    }
  }
  // The whole machine's busy time (every core, from /proc/stat), which includes other tenants of
  // the host.
  const [, ...ticks] = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/);
  const [user, nice, system, , , irq, softirq, steal] = ticks.map(Number);
  result.set('machine', (user + nice + system + irq + softirq + steal) / tick);
  return result;
}

/**
 * Each process's CPU over the window as a share of one core; `machine` is every core's busy time
 * together (2.0 is a 2-core machine saturated), so `machine` less the rest is what else ran.
 */
function cpuShare(before: Map<string, number>, after: Map<string, number>, seconds: number) {
  const share: Record<string, number> = {};
  for (const [name, used] of after)
    share[name] = Math.round(((used - (before.get(name) ?? 0)) / seconds) * 100) / 100;
  return share;
}

async function startFederation(port: number): Promise<{ url: string; stop: () => Promise<void> }> {
  // The demo matrix allows 120 queries an hour per agency; raise it so the load is not queued.
  const thresholds = mkdtempSync(join(tmpdir(), 'mash-load-thresholds-'));
  // Files only: deploy/thresholds/baselines holds regional baselines, not partnerships' matrices.
  // The raised capacity seeds a broker database with no threshold version yet (see docs/thresholds.md).
  for (const file of readdirSync(join(ROOT, 'deploy/thresholds')).filter((f) =>
    /\.ya?ml$/.test(f),
  )) {
    const matrix = parse(readFileSync(join(ROOT, 'deploy/thresholds', file), 'utf8'));
    for (const agency of Object.keys(matrix.capacity ?? {}))
      matrix.capacity[agency] = { queriesPerHour: 1_000_000 };
    writeFileSync(join(thresholds, file), stringify(matrix));
  }
  log(`starting the federation (npm start) on port ${port}, capacity raised...`);
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'scripts/start.mjs')], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), THRESHOLDS_DIR: thresholds, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let banner = '';
  child.stdout?.on('data', (chunk: Buffer) => (banner += chunk.toString()));
  const until = Date.now() + 240_000;
  while (!banner.includes('federation ready')) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    if (Date.now() > until) throw new Error('the federation did not start within 4 minutes');
    await sleep(500);
  }
  log('federation ready');
  return {
    url: `http://127.0.0.1:${port}`,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGINT');
      await Promise.race([exited, sleep(30_000)]);
    },
  };
}

/** The pid of `agency`'s adapter process (npm start runs one), from /proc. */
function adapterPid(agency: string): number | undefined {
  for (const { pid, cmd } of processes())
    if (cmd.includes(`apps/adapter-${agency}/src/main.ts`)) return pid;
  return undefined;
}

/**
 * Kills `agency`'s adapter with SIGKILL LOAD_ADAPTER_KILL_AT seconds after `started` and waits for
 * npm start's restart of it to answer its health check; resolves with the times.
 */
async function killAdapter(started: number, agency: string) {
  const registry = JSON.parse(
    readFileSync(join(ROOT, 'deploy/agencies/registry.dev.json'), 'utf8'),
  ) as { default: Record<string, { jwksUrl: string }> };
  const port = new URL(registry.default[agency].jwksUrl).port;
  await sleep(started + ADAPTER_KILL_AT_S * 1000 - performance.now());
  const pid = adapterPid(agency);
  if (pid === undefined) throw new Error(`no adapter-${agency} process to kill`);
  log(`  killing adapter-${agency} (SIGKILL, ${ADAPTER_KILL_AT_S} s in)...`);
  process.kill(pid, 'SIGKILL');
  const killedAt = performance.now();
  for (;;) {
    await sleep(100);
    if (performance.now() - killedAt > GIVE_UP_MS)
      throw new Error(`adapter-${agency} was not back within a minute`);
    const now = adapterPid(agency);
    if (now === undefined || now === pid) continue;
    const health = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(1000),
    }).catch(() => undefined);
    if (health?.ok) break;
  }
  const upAt = performance.now();
  log(
    `  adapter-${agency} answering its health check ${((upAt - killedAt) / 1000).toFixed(1)} s after the kill`,
  );
  return { agency, killedAt, upAt };
}

/**
 * Recovery from the adapter's crash: `upSeconds`, from the kill to the restarted process answering
 * its health check; `answeringAgainSeconds`, from the kill to that agency's first answer the broker
 * applied after it (for any query; those sent meanwhile wait in the agency's topic); `lost`,
 * accepted queries that never reached an end.
 */
function adapterRestartFigures(
  samples: Sample[],
  started: number,
  { agency, killedAt, upAt }: { agency: string; killedAt: number; upAt: number },
) {
  const accepted = samples.filter((s) => s.status === 202);
  const answers = accepted.flatMap((s) =>
    (s.answeredAt ?? []).filter((at, i) => s.answeredBy?.[i] === agency && at >= killedAt),
  );
  const first = Math.min(...answers);
  return {
    agency,
    killedAtSeconds: tenths(killedAt - started),
    upSeconds: tenths(upAt - killedAt),
    answeringAgainSeconds: Number.isFinite(first) ? tenths(first - killedAt) : null,
    lost: accepted.filter((s) => s.outcome === undefined).length,
  };
}

/** The bench's own Kafka (LOAD_KAFKA_RESTART=1): `kafka.sh` on LOAD_KAFKA_PORT. */
async function kafka(command: 'start' | 'stop'): Promise<void> {
  await promisify(execFile)('bash', [join(ROOT, 'deploy/kafka/kafka.sh'), command], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_PORT: String(KAFKA_PORT),
      KAFKA_CONTROLLER_PORT: String(KAFKA_PORT + 1),
    },
  });
}

/** Stops Kafka `stopAt` after `started`, starts it `downS` later; resolves with the times. */
async function restartKafka(started: number) {
  await sleep(started + KAFKA_STOP_AT_S * 1000 - performance.now());
  log(`  stopping Kafka (${KAFKA_STOP_AT_S} s in)...`);
  await kafka('stop');
  const stoppedAt = performance.now();
  await sleep(KAFKA_DOWN_S * 1000);
  log(`  starting Kafka again after ${KAFKA_DOWN_S} s...`);
  await kafka('start');
  const backAt = performance.now();
  log(`  Kafka back ${((backAt - stoppedAt) / 1000).toFixed(1)} s after it stopped`);
  return { stoppedAt, backAt };
}

/**
 * With autovacuum off (as on some shared development servers) the broker's queue tables
 * (audit_pending, outbox_message, the query parts) keep every dead row, and each run is slower than
 * the last. Where it is off, the broker's database is vacuumed before each rate, as autovacuum
 * would have done between them; the result says whether it was.
 */
async function vacuumIfNoAutovacuum(): Promise<boolean> {
  const db = brokerDb();
  await db.connect();
  try {
    const { rows } = await db.query(`SELECT current_setting('autovacuum') = 'on' AS on`);
    if (rows[0].on) return false;
    log('  autovacuum is off: vacuuming the broker database first...');
    await db.query('VACUUM (ANALYZE)');
    return true;
  } finally {
    await db.end();
  }
}

/** The broker's `mash_queries_refused_total`, summed by the bound that refused (its `reason`). */
async function refusalsByReason(url: string): Promise<Record<string, number>> {
  const text = await fetch(`${url}/metrics`)
    .then((r) => (r.ok ? r.text() : ''))
    .catch(() => '');
  const counts: Record<string, number> = {};
  for (const m of text.matchAll(
    /^mash_queries_refused_total\{[^}]*reason="([^"]+)"[^}]*\} (\S+)$/gm,
  ))
    counts[m[1]] = (counts[m[1]] ?? 0) + Number(m[2]);
  return counts;
}

/**
 * Counters of the work done, which the host's noise does not move: per database group, PostgreSQL's
 * transactions, buffers read (hit or not) and rows written (`pg_stat_database`); Kafka's messages
 * on the federation's topics and on `__consumer_offsets` (offset commits and group state), from the
 * topics' high watermarks. Undefined where a source cannot be read (a federation elsewhere).
 */
async function workCounters(): Promise<Record<string, number> | undefined> {
  const counters: Record<string, number> = {};
  const db = brokerDb();
  try {
    await db.connect();
    const broker = (await db.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db;
    const { rows } = await db.query<{
      datname: string;
      xacts: string;
      blocks: string;
      writes: string;
    }>(
      `SELECT datname, xact_commit + xact_rollback AS xacts, blks_hit + blks_read AS blocks,
              tup_inserted + tup_updated + tup_deleted AS writes
         FROM pg_stat_database WHERE datname LIKE 'mash%'`,
    );
    for (const r of rows) {
      // The broker's database, the adapters' own state, and the agencies' source systems.
      const group =
        r.datname === broker
          ? 'brokerDb'
          : r.datname.startsWith('mash_adapter_')
            ? 'adapterDbs'
            : 'sourceDbs';
      for (const [name, value] of [
        ['Transactions', r.xacts],
        ['Blocks', r.blocks],
        ['RowsWritten', r.writes],
      ] as const)
        counters[group + name] = (counters[group + name] ?? 0) + Number(value);
    }
  } catch {
    return undefined;
  } finally {
    await db.end().catch(() => undefined);
  }
  // The services' own client settings (TLS and SASL when configured), quiet and with kafkajs's
  // default retries: the counters are best effort.
  const admin = new Kafka({
    ...kafkaClientConfig(KafkaEnvSchema.parse(process.env), 'load-bench'),
    logLevel: logLevel.NOTHING,
    retry: undefined,
  }).admin();
  try {
    await admin.connect();
    counters.kafkaMessages = 0;
    counters.kafkaOffsetTopicMessages = 0;
    for (const topic of await admin.listTopics()) {
      const offsets = await admin.fetchTopicOffsets(topic);
      const n = offsets.reduce((sum, p) => sum + Number(p.high), 0);
      if (topic === '__consumer_offsets') counters.kafkaOffsetTopicMessages += n;
      else if (topic.startsWith('mash.')) counters.kafkaMessages += n;
    }
  } catch {
    return undefined;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  return counters;
}

/** What each accepted query cost in the counters, to a tenth. */
function perQuery(
  before: Record<string, number> | undefined,
  after: Record<string, number> | undefined,
  queries: number,
): Record<string, number> | null {
  if (!before || !after || queries === 0) return null;
  return Object.fromEntries(
    Object.keys(after).map((k) => [k, round((after[k] - (before[k] ?? 0)) / queries)!]),
  );
}

/**
 * PostgreSQL backends report their counters at most once a second while busy and 10 s after they
 * fall idle, so the counters are read again only after that.
 */
const STATS_SETTLE_MS = 11_000;

interface Subject {
  subject: Record<string, unknown>;
  knownTo: string[];
}

async function main(): Promise<void> {
  const external = process.env.LOAD_URL;
  if (ADAPTER_KILL && (external || FOLLOW !== 'sse'))
    throw new Error(
      'LOAD_ADAPTER_KILL needs LOAD_FOLLOW=sse and the bench to start the federation',
    );
  if (KAFKA_RESTART) {
    if (external) throw new Error('LOAD_KAFKA_RESTART needs the bench to start the federation');
    log(`starting the bench's own Kafka on 127.0.0.1:${KAFKA_PORT}...`);
    await kafka('start');
    process.env.KAFKA_BROKERS = `127.0.0.1:${KAFKA_PORT}`;
  }
  const federation = external
    ? { url: external, stop: async () => undefined }
    : await startFederation(Number(process.env.LOAD_PORT ?? 3300));
  const api = `${federation.url}/api/v1`;
  const keysDir = resolve(ROOT, process.env.KEYS_DIR ?? '.local/keys');
  const subjects = JSON.parse(
    readFileSync(resolve(ROOT, '.local/demo/subjects.json'), 'utf8'),
  ) as Subject[];
  const everywhere = subjects.filter((s) => s.knownTo.length === 4);
  if (everywhere.length === 0) throw new Error('no demo child is known to all four agencies');

  // Several analysts, so a per-user rate limit does not stand in for the broker's capacity.
  const analysts = await Promise.all(
    Array.from({ length: 20 }, (_, i) =>
      issueDevToken(keysDir, { sub: `load-analyst-${i}`, roles: ['analyst'], partnership: 'demo' }),
    ),
  );
  const manager = await issueDevToken(keysDir, {
    sub: 'load-manager',
    roles: ['manager'],
    partnership: 'demo',
  });
  const call = async (token: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${api}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  // A pool of open cases with consent recorded; queries are spread over them.
  const caseCount = Math.min(50, Math.max(...RATES));
  log(`opening ${caseCount} cases with a manager's consent decision...`);
  const cases: string[] = [];
  for (let i = 0; i < caseCount; i++) {
    const child = everywhere[i % everywhere.length];
    const opened = await call(analysts[0], 'POST', '/referrals', {
      subject: child.subject,
      referrer: { agency: 'education', name: 'Load test' },
      concerns: ['physical-abuse'],
    });
    if (opened.status !== 201) throw new Error(`referral refused: ${opened.status}`);
    const id = opened.body.id as string;
    const consent = await call(manager, 'PUT', `/cases/${id}/consent`, {
      status: 'not-sought',
      reason: 'risk-of-significant-harm',
      justification: 'Asking the family could place the child at risk of significant harm.',
    });
    if (consent.status !== 200) throw new Error(`consent refused: ${consent.status}`);
    cases.push(id);
  }

  const results = [];
  for (const rate of RATES) {
    const total = Math.round(rate * SECONDS);
    log(
      `${rate} q/s for ${SECONDS} s (${total} queries, ${FOLLOW === 'sse' ? 'followed by Server-Sent Events' : `views polled every ${POLL_MS} ms`})...`,
    );
    const vacuumed = await vacuumIfNoAutovacuum();
    const samples: Sample[] = [];
    const pending: Promise<void>[] = [];
    const countersBefore = await workCounters();
    const refusalsBefore = await refusalsByReason(federation.url);
    const cpuBefore = serviceCpu();
    const started = performance.now();
    const restart = KAFKA_RESTART ? restartKafka(started) : undefined;
    const crash = ADAPTER_KILL ? killAdapter(started, ADAPTER_KILL) : undefined;
    for (let i = 0; i < total; i++) {
      // Open loop: the i-th query is sent at i / rate seconds, however the earlier ones fare.
      const due = started + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      const token = analysts[i % analysts.length];
      const sample: Sample = { postMs: 0, status: 0 };
      samples.push(sample);
      pending.push(
        (async () => {
          const t0 = performance.now();
          sample.sentAt = t0;
          const posted = await call(token, 'POST', `/cases/${cases[i % cases.length]}/queries`, {
            purpose: 'mash-triage',
          }).catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
          sample.postMs = performance.now() - t0;
          sample.status = posted.status;
          if (posted.status !== 202) return;
          const id = posted.body.id as string;
          if (FOLLOW === 'sse') {
            const stream = await openSse(`${api}/queries/${id}/events`, token).catch(
              () => undefined,
            );
            try {
              for (;;) {
                const left = GIVE_UP_MS - (performance.now() - t0);
                if (!stream || left <= 0) return;
                const event = await stream.next(left).catch(() => undefined);
                if (!event) return;
                if (event.event === 'agency' && ANSWERED.has(statusOf(event.data))) {
                  (sample.answeredAt ??= []).push(performance.now());
                  (sample.answeredBy ??= []).push(agencyOf(event.data));
                }
                if (event.event === 'query') {
                  sample.doneAt = performance.now();
                  sample.completeMs = sample.doneAt - t0;
                  sample.outcome = (JSON.parse(event.data) as { status: string }).status;
                  return;
                }
              }
            } finally {
              stream?.close();
            }
          }
          while (performance.now() - t0 < GIVE_UP_MS) {
            await sleep(POLL_MS);
            const view = await call(token, 'GET', `/queries/${id}`).catch(() => undefined);
            const status = view?.body.status as string | undefined;
            if (status && status !== 'pending') {
              sample.doneAt = performance.now();
              sample.completeMs = sample.doneAt - t0;
              sample.outcome = status;
              return;
            }
          }
        })(),
      );
      if ((i + 1) % Math.max(1, Math.round(rate * 5)) === 0)
        log(`  sent ${i + 1}/${total} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    }
    const sendSeconds = (performance.now() - started) / 1000;
    const cpuAfter = serviceCpu();
    log('  waiting for the last queries to finish...');
    await Promise.all(pending);
    const outage = await restart;
    const crashed = await crash;
    const accepted = samples.filter((s) => s.status === 202);
    const completed = accepted.filter((s) => s.completeMs !== undefined);
    log('  letting PostgreSQL report its counters...');
    await sleep(STATS_SETTLE_MS);
    const countersAfter = await workCounters();
    const refusalsAfter = await refusalsByReason(federation.url);
    const lastDoneAt = Math.max(started, ...completed.map((s) => s.doneAt ?? started));
    const posts = samples.map((s) => s.postMs).sort((a, b) => a - b);
    const postsOf = (statuses: number[]) =>
      samples
        .filter((s) => statuses.includes(s.status))
        .map((s) => s.postMs)
        .sort((a, b) => a - b);
    const [acceptedPosts, refusedPosts] = [postsOf([202]), postsOf([429, 503])];
    const done = completed.map((s) => s.completeMs!).sort((a, b) => a - b);
    const result = {
      offeredPerSecond: rate,
      seconds: SECONDS,
      sent: total,
      accepted: accepted.length,
      refused: refusedPosts.length,
      // From the broker's metrics: which bound refused them (admission.service.ts).
      refusedBy: Object.fromEntries(
        Object.entries(refusalsAfter).map(([k, v]) => [k, v - (refusalsBefore[k] ?? 0)]),
      ),
      otherErrors: samples.filter((s) => ![202, 429, 503].includes(s.status)).length,
      // Finished queries over the time from the first POST to the last one seen finished.
      achievedPerSecond:
        Math.round((completed.length / Math.max(1, (lastDoneAt - started) / 1000)) * 10) / 10,
      complete: completed.filter((s) => s.outcome === 'complete').length,
      partial: completed.filter((s) => s.outcome === 'partial').length,
      neverFinished: accepted.length - completed.length,
      postMs: { p50: round(percentile(posts, 50)), p99: round(percentile(posts, 99)) },
      // "Refused at once": how long a refusal took to arrive, apart from the accepted POSTs.
      acceptedPostMs: {
        p50: round(percentile(acceptedPosts, 50)),
        p99: round(percentile(acceptedPosts, 99)),
      },
      refusedPostMs: {
        p50: round(percentile(refusedPosts, 50)),
        p99: round(percentile(refusedPosts, 99)),
      },
      timeToCompleteMs: {
        p50: round(percentile(done, 50)),
        p99: round(percentile(done, 99)),
        resolutionMs: FOLLOW === 'sse' ? 0 : POLL_MS,
      },
      cpuShareOfOneCore: cpuShare(cpuBefore, cpuAfter, sendSeconds),
      // Includes the federation's background work over the run (heartbeats, polls, sequencing).
      workPerAcceptedQuery: perQuery(countersBefore, countersAfter, accepted.length),
      vacuumedBefore: vacuumed,
      ...(outage ? { kafkaRestart: kafkaRestartFigures(samples, started, outage) } : {}),
      ...(crashed ? { adapterRestart: adapterRestartFigures(samples, started, crashed) } : {}),
    };
    log(
      `  ${result.accepted}/${total} accepted, ${result.complete} complete, ${result.partial} partial, ` +
        `POST p50 ${result.postMs.p50} ms (refusals p99 ${result.refusedPostMs.p99 ?? '-'} ms), complete p50 ${result.timeToCompleteMs.p50} ms`,
    );
    results.push(result);
  }
  await federation.stop();
  if (KAFKA_RESTART) await kafka('stop');

  const out = {
    benchmark: 'load',
    description:
      'Open-loop federated queries against the whole federation (broker, four adapters, Kafka, PostgreSQL) on one machine.',
    generatedAt: new Date().toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    federation: external ? `running at ${external}` : 'started by npm start, capacity raised',
    follow: FOLLOW,
    pollMs: FOLLOW === 'poll' ? POLL_MS : null,
    rates: results,
  };
  await mkdir(join(ROOT, 'bench/results'), { recursive: true });
  const file = KAFKA_RESTART
    ? 'load-kafka-restart.json'
    : ADAPTER_KILL
      ? 'load-adapter-restart.json'
      : FOLLOW === 'sse'
        ? 'load-sse.json'
        : 'load.json';
  await writeFile(join(ROOT, 'bench/results', file), `${JSON.stringify(out, null, 2)}\n`);
  log(`wrote bench/results/${file}`);
}

/**
 * Recovery from the Kafka outage. `answeringAgainSeconds` (LOAD_FOLLOW=sse): from Kafka answering
 * again to the first agency answer the broker applied after that, for any query.
 * `recoverySeconds`: from Kafka answering again to the first query
 * seen complete after that (every agency answered it; one sent while Kafka was down waited in the
 * outbox). `admittingAgainSeconds`: to the first query accepted after that (admission control
 * counts the requests stranded by the outage as in flight until they are answered or time out).
 * `lost`: accepted queries that never reached an end.
 */
function kafkaRestartFigures(
  samples: Sample[],
  started: number,
  { stoppedAt, backAt }: { stoppedAt: number; backAt: number },
) {
  const firstAfterBack = (times: number[]) => {
    const first = Math.min(...times.filter((t) => t >= backAt));
    return Number.isFinite(first) ? tenths(first - backAt) : null;
  };
  const accepted = samples.filter((s) => s.status === 202);
  const sentAfterBack = samples.filter((s) => (s.sentAt ?? 0) >= backAt);
  return {
    stoppedAtSeconds: tenths(stoppedAt - started),
    downSeconds: tenths(backAt - stoppedAt),
    backAtSeconds: tenths(backAt - started),
    answeringAgainSeconds: firstAfterBack(accepted.flatMap((s) => s.answeredAt ?? [])),
    recoverySeconds: firstAfterBack(
      accepted.filter((s) => s.outcome === 'complete').map((s) => s.doneAt ?? -1),
    ),
    admittingAgainSeconds: firstAfterBack(accepted.map((s) => s.sentAt ?? -1)),
    sentWhileDown: samples.filter(
      (s) => s.sentAt !== undefined && s.sentAt >= stoppedAt && s.sentAt < backAt,
    ).length,
    acceptedWhileDown: accepted.filter(
      (s) => s.sentAt !== undefined && s.sentAt >= stoppedAt && s.sentAt < backAt,
    ).length,
    sentAfterBack: sentAfterBack.length,
    acceptedAfterBack: sentAfterBack.filter((s) => s.status === 202).length,
    completeAfterBack: sentAfterBack.filter((s) => s.outcome === 'complete').length,
    lost: accepted.filter((s) => s.outcome === undefined).length,
  };
}

main().catch((error: unknown) => {
  log(`failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
