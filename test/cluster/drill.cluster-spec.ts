/**
 * The cluster drill (issue 16, docs/operations.md "The cluster drill"): a three-node KRaft Kafka
 * (`kafka.sh cluster`: replication 3, min.insync.replicas 2), two broker processes behind one
 * database, the four adapters. Under steady load it SIGKILLs the Kafka node leading the police
 * request topic, then one broker, and shows that every query completes or times out by its
 * deadline, that each timed-out answer still arrives and is kept (late), that no answer is applied
 * twice, and that the audit chain verifies without a gap. Its figures go to the console and to
 * bench/results/cluster-drill.json.
 *
 * Everything here is its own: databases `mash_drill_*`, keys under .local/test/drill, brokers on
 * 3911-3912, adapters on 3921-3924, Kafka on 19092-19094. It holds no suite lock and touches
 * neither the shared Kafka on 9092 nor another test's database. The cluster is reset at the end
 * (DRILL_KEEP_CLUSTER=1 keeps it running between tries).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { adapterTopics } from '@mash/adapter-sdk';
import { ensureTopics, withDatabase } from '@mash/common';
import { AGENCIES, Topics, isWideTopic } from '@mash/contracts';
import { brokerTopics } from '../../apps/broker/src/app';
import { issueDevToken } from '../../apps/broker/src/auth/dev-issuer';
import { readerUrl } from '../../scripts/seed/database';
import { migrateBrokerDatabase } from '../support/broker-database';
import { TEST_AS_OF, TEST_NOW } from '../support/clock';
import { Federation, ROOT, baseEnv, eventually, type DemoSubject } from '../support/federation';

const run = promisify(execFile);
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'mash_drill_';
const DRILL_DIR = resolve(ROOT, '.local/test/drill');
const KEYS_DIR = resolve(DRILL_DIR, 'keys');
const CLUSTER_DIR = resolve(ROOT, '.local/kafka-cluster');
const CLUSTER = ['127.0.0.1:19092', '127.0.0.1:19093', '127.0.0.1:19094'];
const BROKER_PORTS = [3911, 3912] as const;
const ADAPTER_PORT_BASE = 3921;
const BROKER_DB = `${PREFIX}broker`;
const QUERY_TIMEOUT_MS = 10_000;
/** Queries a second, and for how long: a steady load that two cores carry beside three JVMs. */
const RATE = Number(process.env.DRILL_RATE ?? 2);
const LOAD_MS = Number(process.env.DRILL_LOAD_SECONDS ?? 15) * 1000;
const KILL_KAFKA_AT_MS = 4_000;
const KILL_BROKER_AT_MS = 8_000;
/** The timeout sweep runs once a second; on two busy cores a pass may start a few seconds late. */
const SWEEP_SLACK_MS = 5_000;
const RESULTS = resolve(ROOT, 'bench/results/cluster-drill.json');
/** The brokers load (and compile) at once, and start when this file appears. */
const START_GATE = resolve(DRILL_DIR, 'start-gate');

/** Wall-clock instant at which both brokers' calendar reads TEST_NOW (test/support/broker-main.ts). */
const anchor = Date.now();
const calendarOffsetMs = Date.parse(TEST_NOW) - anchor;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function kafkaSh(command: 'start' | 'reset'): Promise<unknown> {
  return run('bash', [resolve(ROOT, 'deploy/kafka/kafka.sh'), 'cluster', command], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_STOP_TIMEOUT: '5', KAFKA_START_TIMEOUT: '90' },
  });
}

function drillEnv(): NodeJS.ProcessEnv {
  const env = baseEnv({
    KAFKA_BROKERS: CLUSTER.join(','),
    KEYS_DIR,
    DATABASE_URL: withDatabase(PG, BROKER_DB),
    PORT: String(BROKER_PORTS[0]),
    BROKER_JWKS_URL: `http://127.0.0.1:${BROKER_PORTS[0]}/.well-known/jwks.json`,
    AUDIT_CHECKPOINT_FILE: resolve(DRILL_DIR, 'audit/checkpoints.jsonl'),
    AUDIT_CHECKPOINT_INTERVAL_SECONDS: '5',
    QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS),
    TEST_CLOCK_ANCHOR_MS: String(anchor),
    TEST_START_GATE: START_GATE,
    LOG_LEVEL: 'error',
  });
  AGENCIES.forEach((agency, i) => {
    const upper = agency.toUpperCase().replace('-', '_');
    const port = ADAPTER_PORT_BASE + i;
    env[`${upper}_DATABASE_URL`] = readerUrl(PG, PREFIX, agency);
    env[`${upper}_ADAPTER_DATABASE_URL`] = withDatabase(
      PG,
      `${PREFIX}adapter_${agency.replace('-', '_')}`,
    );
    env[`${upper}_ADAPTER_PORT`] = String(port);
    env[`${upper}_JWKS_URL`] = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  });
  return env;
}

async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: withDatabase(PG, BROKER_DB) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Fresh databases (broker, sources, adapter stores) under the drill's own prefix, seeded. */
function prepareDatabases(): Promise<DemoSubject[]> {
  return (async () => {
    const admin = new Client({ connectionString: withDatabase(PG, 'postgres') });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname LIKE 'mash\\_drill\\_%'`,
      );
      for (const { datname } of rows)
        await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    const out = resolve(DRILL_DIR, 'demo');
    execFileSync(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        resolve(ROOT, 'scripts/seed.ts'),
        ...['--people', '120', '--database-url', PG, '--db-prefix', PREFIX],
        ...['--out', out, '--seed', '7', '--as-of', TEST_AS_OF],
      ],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    // Migrations once, before two instances start together.
    await migrateBrokerDatabase(withDatabase(PG, BROKER_DB));
    return JSON.parse(readFileSync(resolve(out, 'subjects.json'), 'utf8')) as DemoSubject[];
  })();
}

interface Part {
  query_id: string;
  deadline_at: Date;
  agency: string;
  decision: string;
  status: string;
  late: boolean;
  dispatched_at: Date | null;
  responded_at: Date | null;
  settled_at: Date | null;
  answers: string;
  received: string;
}

describe('The cluster drill: a Kafka node and a broker killed under load', () => {
  const env = drillEnv();
  const adapters = new Federation(env);
  const brokers = new Map<number, ChildProcess>();
  const timings: Record<string, number> = {};
  let subjects: DemoSubject[];
  let analyst: string;
  let auditor: string;
  const caseIds: string[] = [];

  /** Spawns a broker process; the promise settles when it answers /health (after the gate opens). */
  function spawnBroker(port: number): Promise<void> {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', resolve(ROOT, 'test/support/broker-main.ts')],
      { cwd: ROOT, env: { ...env, PORT: String(port) }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    brokers.set(port, child);
    const exited = new Promise<never>((_, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`broker :${port} exited during start (${code ?? signal})`)),
      ),
    );
    exited.catch(() => undefined); // a kill later on is not a failed start
    const healthy = eventually(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/health`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      90_000,
      250,
    );
    return Promise.race([healthy, exited]).then(() => undefined);
  }

  async function killBroker(port: number): Promise<void> {
    const child = brokers.get(port);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  }

  async function api(
    port: number,
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }

  beforeAll(async () => {
    const started = Date.now();
    mkdirSync(resolve(DRILL_DIR, 'audit'), { recursive: true });
    // Checkpoints of an earlier run's chain would not match this run's fresh database.
    rmSync(resolve(DRILL_DIR, 'audit/checkpoints.jsonl'), { force: true });
    rmSync(START_GATE, { force: true });
    const brokersReady = BROKER_PORTS.map((p) => spawnBroker(p));
    brokersReady.forEach((ready) => ready.catch(() => undefined)); // awaited below
    // The cluster's JVMs start while PostgreSQL is prepared and the brokers load.
    [subjects] = await Promise.all([prepareDatabases(), kafkaSh('start')]);
    timings.clusterAndDatabasesMs = Date.now() - started;
    // Topics once (replication 3 on three nodes), before the instances that would race to create
    // them; a cluster just formed may not yet say where a new topic's partition lives: try again.
    const kafka = { clientId: 'drill', brokers: CLUSTER, logLevel: logLevel.NOTHING };
    const topics = [...new Set([...brokerTopics(), ...AGENCIES.flatMap((a) => adapterTopics(a))])];
    // Partitioned as the apps make them (KAFKA_TOPIC_PARTITIONS, default 6, for the hot topics).
    const partitionsOf = (t: string) => (isWideTopic(t) ? 6 : 1);
    // Every node registered first: ensureTopics replicates a new topic on as many nodes as the
    // cluster reports (at most 3), and a topic made while one node was still joining would have
    // two replicas, so killing a node would leave it below min.insync.replicas.
    await eventually(
      async () => {
        const admin = new Kafka(kafka).admin();
        await admin.connect();
        try {
          return (await admin.describeCluster()).brokers.length === 3 ? true : undefined;
        } finally {
          await admin.disconnect();
        }
      },
      30_000,
      500,
    );
    // Three replicas said outright: a node that drops out of the cluster's answer for a moment
    // would otherwise have every topic made with two (refused until all three are up instead).
    await eventually(
      () => ensureTopics(kafka, topics, partitionsOf, 3).then(() => true),
      30_000,
      500,
    );
    {
      // A node just told of new topics may not host their partitions yet ("does not host this
      // topic-partition"), or name fewer replicas for a moment: ask until every topic has three
      // (and fail with the thin ones if some never do).
      const thinTopics = async () => {
        const admin = new Kafka(kafka).admin();
        await admin.connect();
        try {
          const { topics: made } = await admin.fetchTopicMetadata({ topics });
          return made.filter((t) => t.partitions.some((p) => p.replicas.length < 3));
        } finally {
          await admin.disconnect();
        }
      };
      const thin = await eventually(
        async () => ((await thinTopics()).length === 0 ? [] : undefined),
        15_000,
        500,
      ).catch(() => thinTopics());
      expect(thin.map((t) => t.name)).toEqual([]);
    }
    writeFileSync(START_GATE, '');
    await Promise.all([...brokersReady, ...AGENCIES.map((a) => adapters.startAdapter(a))]);
    timings.startedMs = Date.now() - started;

    const claims = { partnership: 'demo' };
    analyst = await issueDevToken(KEYS_DIR, {
      sub: 'drill-analyst',
      roles: ['analyst'],
      ...claims,
    });
    auditor = await issueDevToken(KEYS_DIR, {
      sub: 'drill-auditor',
      roles: ['auditor'],
      ...claims,
    });
    const manager = await issueDevToken(KEYS_DIR, {
      sub: 'drill-manager',
      roles: ['manager'],
      ...claims,
    });
    // A few cases, each shared without consent (risk of significant harm), asked again and again.
    for (const child of subjects.slice(0, 4)) {
      const created = await api(BROKER_PORTS[0], 'POST', '/api/v1/referrals', analyst, {
        subject: child.subject,
        referrer: { agency: 'education' },
        concerns: ['physical-abuse'],
      });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const consent = await api(BROKER_PORTS[0], 'PUT', `/api/v1/cases/${id}/consent`, manager, {
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      });
      expect(consent.status).toBe(200);
      caseIds.push(id);
    }
    // Every agency up (heard from) before the load, so none is settled as unavailable.
    await eventually(async () => {
      const res = await api(BROKER_PORTS[0], 'GET', '/api/v1/agencies/status', analyst);
      const list = (res.body.agencies ?? []) as Array<{ status: string }>;
      return list.length > 0 && list.every((a) => a.status === 'up') ? true : undefined;
    }, 30_000);
    // One query through each instance, answered, before the load: the consumer groups have settled.
    const warmUp = await Promise.all(
      BROKER_PORTS.map(async (port) => {
        const res = await api(port, 'POST', `/api/v1/cases/${caseIds[0]}/queries`, analyst, {
          purpose: 'mash-triage',
        });
        expect(res.status).toBe(202);
        return res.body.id as string;
      }),
    );
    await eventually(
      async () => {
        const views = await Promise.all(
          warmUp.map((id) => api(BROKER_PORTS[0], 'GET', `/api/v1/queries/${id}`, analyst)),
        );
        return views.every((v) => v.body.status !== 'pending') ? true : undefined;
      },
      QUERY_TIMEOUT_MS + 5_000,
      250,
    );
    timings.warmedUpMs = Date.now() - started;
  }, 170_000);

  afterAll(async () => {
    // Whatever happened above: the brokers, the adapters and the cluster go.
    await Promise.all([...brokers.keys()].map((p) => killBroker(p)));
    await Promise.race([adapters.stop(), sleep(15_000)]);
    if (process.env.DRILL_KEEP_CLUSTER !== '1') await kafkaSh('reset').catch(() => undefined);
  }, 60_000);

  it('loses no query, applies no answer twice, keeps every late answer, and leaves no audit gap', async () => {
    const ports = [...BROKER_PORTS];
    const live = new Set<number>(ports);
    const accepted: string[] = [];
    const figures = { sent: 0, accepted: 0, retriedOnOtherInstance: 0, refused: 0 };
    const refusals: string[] = [];
    const events: Array<{ atMs: number; what: string }> = [];

    async function ask(i: number): Promise<void> {
      const body = { purpose: 'mash-triage' };
      const path = `/api/v1/cases/${caseIds[i % caseIds.length]}/queries`;
      // Round robin over the live instances, as a load balancer would; a connection that dies
      // with its instance is tried once on another (the load balancer's retry).
      const first = [...live][i % live.size];
      figures.sent += 1;
      for (const port of [first, ...ports.filter((p) => p !== first)]) {
        try {
          const res = await api(port, 'POST', path, analyst, body);
          if (res.status === 202) {
            figures.accepted += 1;
            accepted.push(res.body.id as string);
          } else {
            figures.refused += 1;
            refusals.push(`${res.status} ${String(res.body.code)}`);
          }
          return;
        } catch {
          figures.retriedOnOtherInstance += 1;
        }
      }
    }

    async function killKafkaLeader(): Promise<void> {
      const admin = new Kafka({
        clientId: 'drill',
        brokers: CLUSTER,
        logLevel: logLevel.NOTHING,
      }).admin();
      await admin.connect();
      const topic = Topics.queryRequested('police');
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.disconnect();
      const leader = meta.topics[0].partitions[0].leader;
      const pid = Number(readFileSync(resolve(CLUSTER_DIR, `node-${leader}/kafka.pid`), 'utf8'));
      process.kill(pid, 'SIGKILL');
      events.push({ atMs: Date.now() - loadStart, what: `SIGKILL Kafka node ${leader}` });
    }

    const loadStart = Date.now();
    const pending: Array<Promise<void>> = [];
    const kills = [
      sleep(KILL_KAFKA_AT_MS).then(killKafkaLeader),
      sleep(KILL_BROKER_AT_MS).then(async () => {
        live.delete(BROKER_PORTS[1]);
        await killBroker(BROKER_PORTS[1]);
        events.push({ atMs: Date.now() - loadStart, what: `SIGKILL broker :${BROKER_PORTS[1]}` });
      }),
    ];
    for (let i = 0; i < (LOAD_MS / 1000) * RATE; i += 1) {
      await sleep(loadStart + (i * 1000) / RATE - Date.now());
      pending.push(ask(i));
    }
    await Promise.all([...pending, ...kills]);
    timings.loadMs = Date.now() - loadStart;

    // Every query the brokers hold (those whose 202 was lost with the killed broker too).
    const byDeadline = async () =>
      sql<Part>(
        `SELECT a.query_id, q.deadline_at, a.agency, a.decision, a.status, a.late,
                a.dispatched_at, a.responded_at,
                (SELECT min(e.at) FROM query_event e
                  WHERE e.query_id = a.query_id AND e.agency = a.agency
                    AND e.member_id = a.member_id::text AND e.status <> 'pending') AS settled_at,
                (SELECT count(*) FROM query_event e
                  WHERE e.query_id = a.query_id AND e.agency = a.agency
                    AND e.member_id = a.member_id::text
                    AND e.status IN ('match', 'possible-match', 'no-match', 'failed')) AS answers,
                (SELECT count(*) FROM audit_event v
                  WHERE v.query_id = a.query_id::text AND v.agency = a.agency
                    AND v.action = 'query.answer.received') AS received
           FROM federated_query_agency a JOIN federated_query q ON q.id = a.query_id
          WHERE q.created_at >= $1`,
        [new Date(loadStart)],
      );
    // Settled: each part answered or timed out (the deadline passes for the last ones).
    await eventually(
      async () => ((await byDeadline()).some((p) => p.status === 'pending') ? undefined : true),
      QUERY_TIMEOUT_MS + 15_000,
      500,
    );
    // Then each timed-out part's answer arrives late, and is kept.
    const settled = await eventually(
      async () => {
        const parts = await byDeadline();
        return parts.every((p) => p.decision !== 'permit' || p.responded_at) ? parts : undefined;
      },
      40_000,
      500,
    ).catch(async () => byDeadline());

    const queries = new Map<string, Part[]>();
    for (const p of settled) queries.set(p.query_id, [...(queries.get(p.query_id) ?? []), p]);
    const asked = settled.filter((p) => p.decision === 'permit');
    const lostParts = asked.filter((p) => !p.responded_at);
    const missing = accepted.filter((id) => !queries.has(id));
    const overDeadline = asked.map((p) =>
      p.settled_at
        ? p.settled_at.getTime() - (p.deadline_at.getTime() - calendarOffsetMs)
        : Number.POSITIVE_INFINITY,
    );
    const twice = asked.filter((p) => Number(p.answers) > 1 || Number(p.received) > 1);
    const late = [...queries.values()].filter((parts) => parts.some((p) => p.late));
    const completed = [...queries.values()].filter((parts) =>
      parts.every((p) => p.decision !== 'permit' || (p.responded_at && !p.late)),
    );

    // The audit chain, checkpoints and Merkle heads, after both instances wrote to it.
    await eventually(async () =>
      (await sql('SELECT 1 FROM audit_pending LIMIT 1')).length === 0 ? true : undefined,
    );
    const verified = await api(BROKER_PORTS[0], 'GET', '/api/v1/audit/verify', auditor);
    const [chain] = await sql<{ n: string; first: string; last: string }>(
      `SELECT count(*) AS n, min(chain_seq) AS first, max(chain_seq) AS last
         FROM audit_event WHERE chain_id = 'demo'`,
    );

    const result = {
      drill: 'three-node Kafka (replication 3, min.insync.replicas 2), two brokers on one database',
      load: { queriesPerSecond: RATE, seconds: LOAD_MS / 1000, agenciesPerQuery: AGENCIES.length },
      events,
      queries: {
        sent: figures.sent,
        accepted: figures.accepted,
        retriedOnOtherInstance: figures.retriedOnOtherInstance,
        refused: figures.refused,
        refusedWith: [...new Set(refusals)],
        inDatabase: queries.size,
        completed: completed.length,
        late: late.length,
        lost: missing.length + new Set(lostParts.map((p) => p.query_id)).size,
      },
      parts: {
        asked: asked.length,
        timedOut: asked.filter((p) => p.late || p.status === 'timed-out').length,
        lateAnswersKept: asked.filter((p) => p.late && p.responded_at).length,
        appliedTwice: twice.length,
        maxSettledAfterDeadlineMs: Math.max(...overDeadline),
      },
      audit: {
        ok: verified.body.ok,
        checked: verified.body.checked,
        checkpointsChecked: verified.body.checkpointsChecked,
        firstFailure: verified.body.firstFailure,
        entries: Number(chain.n),
        gapless: Number(chain.last) - Number(chain.first) + 1 === Number(chain.n),
      },
      wallMs: { ...timings, total: Date.now() - anchor },
    };
    process.stdout.write(`\ncluster drill: ${JSON.stringify(result, null, 2)}\n`);
    mkdirSync(resolve(RESULTS, '..'), { recursive: true });
    writeFileSync(
      RESULTS,
      `${JSON.stringify({ recordedAt: new Date().toISOString(), ...result }, null, 2)}\n`,
    );

    expect(events.map((e) => e.what)).toEqual([
      expect.stringMatching(/^SIGKILL Kafka node [123]$/),
      `SIGKILL broker :${BROKER_PORTS[1]}`,
    ]);
    // A refusal is said at once (admission control while answers run late), never a loss.
    for (const refusal of refusals) expect(refusal).toBe('503 QUERY.OVERLOADED');
    expect(figures.accepted).toBeGreaterThan(figures.sent / 2);
    expect(missing).toEqual([]);
    expect(lostParts).toEqual([]);
    expect(result.queries.lost).toBe(0);
    expect(twice).toEqual([]);
    // Completed or timed out by the deadline (the sweep runs once a second).
    expect(result.parts.maxSettledAfterDeadlineMs).toBeLessThanOrEqual(SWEEP_SLACK_MS);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ ok: true, chainId: 'demo' });
    expect(verified.body.firstFailure).toBeUndefined();
    expect(result.audit.gapless).toBe(true);
  }, 120_000);
});
