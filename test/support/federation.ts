/**
 * The whole federation in one test process: the broker and the four adapters, each with its own
 * database, talking over the real Kafka. Ports are fixed so the broker's agency registry and the
 * adapters' view of the broker line up; test databases are prefixed `mash_test_`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Client } from 'pg';
import request from 'supertest';
import { type PinnedClock, withDatabase } from '@mash/common';
import { AGENCIES, type Agency } from '@mash/contracts';
import { AuditLog } from '@mash/audit';
import { createConfiguredAdapter } from '@mash/adapter-sdk';
import { createBrokerApp } from '../../apps/broker/src/app';
import { TEST_AS_OF, testClock } from './clock';
import { migrateBrokerDatabase } from './broker-database';
import { issueDevToken } from '../../apps/broker/src/auth/dev-issuer';
import { dropDatabase, readerUrl } from '../../scripts/seed/database';
import type { Role } from '../../apps/broker/src/auth/principal';
import { createPoliceAdapter } from '../../apps/adapter-police/src/police.adapter';
import { createHealthAdapter } from '../../apps/adapter-health/src/health.adapter';
import { createEducationAdapter } from '../../apps/adapter-education/src/education.adapter';
import { createSocialCareAdapter } from '../../apps/adapter-social-care/src/social-care.adapter';

export { TEST_AS_OF, TEST_NOW, testClock } from './clock';

export const ROOT = resolve(__dirname, '../..');
export const TEST_KEYS_DIR = resolve(ROOT, '.local/test/keys');
export const TEST_DEMO_DIR = resolve(ROOT, '.local/test/demo');
const PG = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const BROKER_PORT = 3900;
const ADAPTER_PORTS: Record<Agency, number> = {
  police: 3901,
  health: 3902,
  education: 3903,
  'social-care': 3904,
};
/** An agency added by the registry alone takes the next port after the example four. */
const adapterPort = (agency: Agency): number =>
  ADAPTER_PORTS[agency] ?? 3901 + AGENCIES.indexOf(agency);

export function dbName(name: string): string {
  return `mash_test_${name.replace('-', '_')}`;
}

export function testDatabaseUrl(name: string): string {
  return withDatabase(PG, dbName(name));
}

/** An adapter's own database (ledger, inbox, outcomes, match index): `mash_test_adapter_<agency>`. */
export function adapterStoreUrl(agency: Agency): string {
  return testDatabaseUrl(`adapter_${agency.replace('-', '_')}`);
}

/** Every test database of the federation: the broker's, each source's and each adapter's own. */
export const FEDERATION_DATABASES = [
  'broker',
  ...AGENCIES,
  ...AGENCIES.map((a) => `adapter_${a.replace('-', '_')}`),
];

export interface DemoSubject {
  subject: {
    givenName: string;
    familyName: string;
    dateOfBirth: string;
    postcode?: string;
    identifiers?: Record<string, string>;
  };
  knownTo: Agency[];
  /** The people the child lives with, as the seed made them (for some children). */
  household?: Array<{
    relationship: 'sibling' | 'parent' | 'partner-of-parent' | 'other-adult';
    givenName: string;
    familyName: string;
    dateOfBirth: string;
    sex: 'female' | 'male';
    postcode?: string;
    knownTo: Agency[];
  }>;
}

/**
 * Federations share Kafka topics, consumer groups, ports and test databases, so two test
 * processes must not run one at the same time (jest runs files one after another within a
 * process). A PostgreSQL advisory lock, held from the first setup step to Federation.stop(),
 * makes a second process wait its turn.
 */
let suiteLock: Client | undefined;
export async function acquireSuiteLock(): Promise<void> {
  if (suiteLock) return;
  const client = new Client({ connectionString: withDatabase(PG, 'postgres') });
  await client.connect();
  const got = await client.query('SELECT pg_try_advisory_lock(815001) AS ok');
  if (!got.rows[0].ok) {
    process.stderr.write(
      '[federation] another end-to-end run holds the federation; waiting for it\n',
    );
    await client.query('SELECT pg_advisory_lock(815001)');
  }
  suiteLock = client;
}

export async function releaseSuiteLock(): Promise<void> {
  const client = suiteLock;
  suiteLock = undefined;
  if (client) await client.end().catch(() => undefined);
}

export async function dropDatabases(names: string[]): Promise<void> {
  await acquireSuiteLock();
  const admin = new Client({ connectionString: withDatabase(PG, 'postgres') });
  await admin.connect();
  try {
    // An agency's source goes with its adapter's own database (ledger, inbox, outcomes, index).
    const withStores = names.flatMap((n) =>
      (AGENCIES as readonly string[]).includes(n) ? [n, `adapter_${n.replace('-', '_')}`] : [n],
    );
    for (const name of withStores)
      await admin.query(`DROP DATABASE IF EXISTS "${dbName(name)}" WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/**
 * A broker database of a suite's own (`mash_test_<name>`, not the federation's, so no suite lock),
 * dropped, created and migrated afresh. Returns its URL.
 */
export async function freshBrokerDatabase(name: string): Promise<string> {
  await dropDatabase(PG, dbName(name));
  const url = testDatabaseUrl(name);
  await migrateBrokerDatabase(url);
  return url;
}

/** Seeds the four agencies' source databases with a small synthetic population. */
export function seedSources(people = 400): DemoSubject[] {
  if (!suiteLock)
    throw new Error('call dropDatabases() (which takes the suite lock) before seedSources()');
  execFileSync(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      resolve(ROOT, 'scripts/seed.ts'),
      '--people',
      String(people),
      '--database-url',
      PG,
      '--db-prefix',
      'mash_test_',
      '--out',
      TEST_DEMO_DIR,
      '--seed',
      '7',
      '--as-of',
      TEST_AS_OF,
    ],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return JSON.parse(readFileSync(resolve(TEST_DEMO_DIR, 'subjects.json'), 'utf8')) as DemoSubject[];
}

export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    AUTH_MODE: 'dev',
    KEYS_DIR: TEST_KEYS_DIR,
    KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    DATABASE_URL: testDatabaseUrl('broker'),
    PORT: String(BROKER_PORT),
    BROKER_JWKS_URL: `http://127.0.0.1:${BROKER_PORT}/.well-known/jwks.json`,
    AGREEMENTS_DIR: resolve(ROOT, 'deploy/agreements/demo'),
    AUDIT_CHECKPOINT_FILE: resolve(ROOT, '.local/test/audit/checkpoints.jsonl'),
    QUERY_TIMEOUT_MS: '8000',
    // The broker, four adapters and jest share one event loop here, so how busy it is says
    // nothing about the broker: refusing for it would make specs fail by machine load.
    QUERY_ADMISSION_MAX_BUSY: '1',
  };
  for (const agency of AGENCIES) {
    const upper = agency.toUpperCase().replace('-', '_');
    // The source through the read-only role the seed creates; the adapter's state in its own database.
    env[`${upper}_DATABASE_URL`] = readerUrl(PG, 'mash_test_', agency);
    env[`${upper}_ADAPTER_DATABASE_URL`] = adapterStoreUrl(agency);
    env[`${upper}_ADAPTER_PORT`] = String(adapterPort(agency));
    env[`${upper}_JWKS_URL`] = `http://127.0.0.1:${adapterPort(agency)}/.well-known/jwks.json`;
  }
  // The caller's overrides win over every default above.
  return { ...env, ...extra };
}

const ADAPTER_FACTORIES: Record<Agency, (env: NodeJS.ProcessEnv) => Promise<INestApplication>> = {
  police: createPoliceAdapter,
  health: createHealthAdapter,
  education: createEducationAdapter,
  'social-care': createSocialCareAdapter,
};

/**
 * The broker's audit log with a switch a test can throw to make every write fail, to prove that
 * accesses fail closed. A fake provided to the module: production code has no such switch.
 */
export class FailableAuditLog extends AuditLog {
  failing = false;

  override record(...args: Parameters<AuditLog['record']>): ReturnType<AuditLog['record']> {
    if (this.failing) return Promise.reject(new Error('audit writes failed by the test'));
    return super.record(...args);
  }

  override appendMany(
    ...args: Parameters<AuditLog['appendMany']>
  ): ReturnType<AuditLog['appendMany']> {
    if (this.failing) return Promise.reject(new Error('audit writes failed by the test'));
    return super.appendMany(...args);
  }
}

/** A referral's referrer and concerns (the subject is given on its own). */
export interface Referral {
  referrer: { agency: string; name?: string };
  concerns: string[];
}

/** Runs one statement in a test database (`testDatabaseUrl(database)`) and returns its rows. */
export async function sql<T>(database: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: testDatabaseUrl(database) });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

export class Federation {
  broker!: NestExpressApplication;
  adapters = new Map<Agency, INestApplication>();

  constructor(
    readonly env: NodeJS.ProcessEnv = baseEnv(),
    readonly clock: PinnedClock = testClock(),
  ) {}

  async startBroker(): Promise<void> {
    await acquireSuiteLock();
    this.broker = (
      await createBrokerApp(this.env, {
        clock: this.clock,
        auditLog: (dataSource) => new FailableAuditLog(dataSource, { sequencing: 'deferred' }),
      })
    ).app;
  }

  async startAdapter(agency: Agency): Promise<INestApplication> {
    // An agency with no adapter app of its own runs from its connector file alone.
    const upper = agency.toUpperCase().replace('-', '_');
    const factory =
      ADAPTER_FACTORIES[agency] ??
      ((env: NodeJS.ProcessEnv) =>
        createConfiguredAdapter(
          resolve(ROOT, env[`${upper}_CONNECTOR_FILE`] ?? `deploy/connectors/${agency}.yaml`),
          env,
        ));
    const app = await factory(this.env);
    this.adapters.set(agency, app);
    return app;
  }

  async stopAdapter(agency: Agency): Promise<void> {
    await this.adapters.get(agency)?.close();
    this.adapters.delete(agency);
  }

  async start(): Promise<this> {
    await this.startBroker();
    await Promise.all(AGENCIES.map((a) => this.startAdapter(a)));
    return this;
  }

  /**
   * The usual start of a suite: the broker's and the agencies' databases dropped, the sources
   * seeded with the demo population, then the broker and every adapter. Returns the seeded people.
   */
  async startSeeded(): Promise<DemoSubject[]> {
    await dropDatabases(['broker', ...AGENCIES]);
    const subjects = seedSources();
    await this.start();
    return subjects;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.adapters.keys()].map((a) => this.stopAdapter(a)));
    await this.broker?.close();
    await releaseSuiteLock();
  }

  http() {
    return this.broker.getHttpServer();
  }

  token(
    roles: Role | Role[],
    partnership = 'demo',
    sub?: string,
    agency?: Agency,
  ): Promise<string> {
    const list = Array.isArray(roles) ? roles : [roles];
    return issueDevToken(TEST_KEYS_DIR, {
      sub: sub ?? `test-${list[0]}`,
      roles: list,
      partnership,
      ...(agency ? { agency } : {}),
    });
  }

  /** A development token for a representative of `agency` in the MASH. */
  representativeToken(agency: Agency, partnership = 'demo'): Promise<string> {
    return this.token('agency-representative', partnership, `test-rep-${agency}`, agency);
  }

  /** Opens a case from a referral, as the test analyst. Returns the case id. */
  async openCase(subject: DemoSubject['subject'], referral: Referral): Promise<string> {
    const created = await request(this.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${await this.token('analyst')}`)
      .send({ subject, ...referral })
      .expect(status(201));
    return created.body.id as string;
  }

  /**
   * Records the test manager's decision to share without consent (a risk of significant harm),
   * which every demo agreement accepts.
   */
  async consentNotSought(caseId: string): Promise<void> {
    await request(this.http())
      .put(`/api/v1/cases/${caseId}/consent`)
      .set('Authorization', `Bearer ${await this.token('manager', 'demo', 'test-manager')}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
  }

  /**
   * `openCase` and `consentNotSought`: the usual start of a test that then asks the federation.
   * Returns the case id.
   */
  async openCaseWithoutConsent(
    subject: DemoSubject['subject'],
    referral: Referral,
  ): Promise<string> {
    const caseId = await this.openCase(subject, referral);
    await this.consentNotSought(caseId);
    return caseId;
  }
}

/**
 * The usual suite around one federation: before all its tests `startSeeded` (within `timeoutMs`),
 * after them `stop`. `subjects`, the seeded people, is filled in before the first test.
 */
export function seededFederation(
  federation = new Federation(),
  timeoutMs = 180_000,
): { federation: Federation; subjects: DemoSubject[] } {
  const subjects: DemoSubject[] = [];
  beforeAll(async () => {
    subjects.push(...(await federation.startSeeded()));
  }, timeoutMs);
  afterAll(() => federation.stop());
  return { federation, subjects };
}

/** Polls until `check` returns a value (not undefined) or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
  everyMs = 100,
): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > until)
      throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * Waits until the broker's audit sequencer has given every waiting entry its position, for tests
 * that read `audit_event` with SQL (entries written in a transaction wait in `audit_pending` for a
 * few milliseconds first).
 */
export async function auditSequenced(db: {
  query(sql: string): Promise<{ rowCount: number | null }>;
}): Promise<void> {
  await eventually(async () =>
    (await db.query('SELECT 1 FROM audit_pending LIMIT 1')).rowCount === 0 ? true : undefined,
  );
}

/** A supertest assertion that shows the error body when the status is not the expected one. */
export function status(expected: number) {
  return (res: { status: number; body: unknown }): void => {
    if (res.status !== expected)
      throw new Error(`expected ${expected}, got ${res.status}: ${JSON.stringify(res.body)}`);
  };
}
