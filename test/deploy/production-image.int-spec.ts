/**
 * The production image, without a Docker engine: assembles the final stage of
 * deploy/docker/Dockerfile in a temporary directory from that file's own COPY, ENV and ENTRYPOINT
 * lines (the compiled output of `npm run build`, and node_modules holding only the packages that
 * package-lock.json marks as production ones, laid out exactly as `npm ci --omit=dev` would), then
 * starts the broker and the police adapter from it against the real PostgreSQL and Kafka, asks
 * /health, and stops them. A dev dependency needed at run time, an alias left unresolved, or a
 * file the image forgets to copy makes a process exit and the test fail.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Kafka } from 'kafkajs';
import { Client } from 'pg';

const ROOT = resolve(__dirname, '../..');
const PG = 'postgres://postgres@127.0.0.1:5432';

interface FinalStage {
  env: Record<string, string>;
  copies: { from?: string; source: string; target: string }[];
  entrypoint: string[];
  workdir: string;
  user?: string;
}

/** The instructions of the Dockerfile's last stage that shape what runs (RUN lines aside). */
function finalStage(dockerfile: string): FinalStage {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const last = lines.map((l) => l.startsWith('FROM ')).lastIndexOf(true);
  const stage: FinalStage = { env: {}, copies: [], entrypoint: [], workdir: '/' };
  for (const line of lines.slice(last + 1)) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    switch (instruction) {
      case 'ENV':
        for (const m of args.matchAll(/(\w+)=(\S+)/g)) stage.env[m[1]] = m[2];
        break;
      case 'COPY': {
        const words = rest.filter((w) => !w.startsWith('--') || w.startsWith('--from='));
        const from = words[0].startsWith('--from=') ? words.shift()!.slice(7) : undefined;
        stage.copies.push({ from, source: words[0], target: words[words.length - 1] });
        break;
      }
      case 'ENTRYPOINT':
        stage.entrypoint = JSON.parse(args) as string[];
        break;
      case 'WORKDIR':
        stage.workdir = args;
        break;
      case 'USER':
        stage.user = args;
        break;
      default:
        break;
    }
  }
  return stage;
}

/** Hard links a tree (node_modules of nested packages left out when asked). */
function linkTree(source: string, target: string, skipNodeModules: boolean): void {
  mkdirSync(target, { recursive: true });
  for (const entry of readdirSync(source)) {
    if (skipNodeModules && entry === 'node_modules') continue;
    const from = join(source, entry);
    const to = join(target, entry);
    const stat = lstatSync(from);
    if (stat.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
    else if (stat.isDirectory()) linkTree(from, to, false);
    else link(from, to);
  }
}

/** A hard link, or a copy when the temporary directory is on another file system. */
function link(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(from, to);
  }
}

/** node_modules as `npm ci --omit=dev` lays it out, from the packages installed here. */
function productionNodeModules(target: string): number {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }>;
  };
  let count = 0;
  for (const [path, meta] of Object.entries(lock.packages)) {
    if (!path.startsWith('node_modules/') || meta.dev || meta.devOptional || meta.link) continue;
    const installed = join(ROOT, path);
    // Optional packages for other platforms (e.g. another CPU's SWC binary) are not installed.
    if (!existsSync(installed)) continue;
    linkTree(installed, join(target, path), true);
    count++;
  }
  return count;
}

interface Running {
  child: ChildProcess;
  output: () => string;
  url: Promise<string>;
}

function startApp(
  cwd: string,
  stage: FinalStage,
  app: string,
  env: Record<string, string>,
): Running {
  let output = '';
  // Only what the image sets, plus the test's own: no NODE_PATH, no inherited npm variables.
  const child = spawn(stage.entrypoint[0], [...stage.entrypoint.slice(1), app], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...stage.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = new Promise<string>((done, fail) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) done(m[1].replace('[::1]', '127.0.0.1'));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) =>
      fail(new Error(`${app} exited (${signal ?? code}) before listening:\n${output}`)),
    );
  });
  return { child, output: () => output, url };
}

function stop(running: Running): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((done) => {
    if (running.child.exitCode !== null || running.child.signalCode !== null) {
      done({ code: running.child.exitCode, signal: running.child.signalCode });
      return;
    }
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 15_000);
    running.child.once('exit', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal });
    });
    running.child.kill('SIGTERM');
  });
}

/** Every file under dir with its size and mtime, to show the app writes nothing to its tree. */
function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      const s = lstatSync(p);
      if (s.isDirectory()) walk(p);
      else files.set(p, `${s.size}:${s.mtimeMs}`);
    }
  };
  walk(dir);
  return files;
}

describe('production image (deploy/docker/Dockerfile)', () => {
  const id = randomBytes(4).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'mash-image-'));
  const namespace = `mash-image-${id}`;
  const databases = [`mash_image_${id}`, `mash_image_police_${id}`, `mash_image_store_${id}`];
  const running: Running[] = [];

  afterAll(async () => {
    await Promise.all(running.map(stop));
    const pg = new Client({ connectionString: `${PG}/postgres` });
    await pg.connect();
    for (const db of databases) await pg.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await pg.end();
    const admin = new Kafka({ brokers: (process.env.KAFKA_BROKERS ?? '').split(',') }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(`${namespace}.`));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
    rmSync(work, { recursive: true, force: true });
  });

  it('runs the compiled broker and an adapter with only production dependencies', async () => {
    // Nothing above the temporary directory may lend the apps a package.
    for (let d = work; d !== dirname(d); d = dirname(d)) {
      expect(existsSync(join(dirname(d), 'node_modules'))).toBe(false);
    }
    const stage = finalStage(readFileSync(join(ROOT, 'deploy/docker/Dockerfile'), 'utf8'));
    expect(stage.user).toBe('node');
    expect(stage.env.NODE_ENV).toBe('production');
    const app = join(work, 'app');
    mkdirSync(app);
    const build = join(work, 'dist');
    execFileSync('node', [join(ROOT, 'scripts/build.mjs'), build], { cwd: ROOT, stdio: 'pipe' });
    for (const copy of stage.copies) {
      const target = resolve(app, copy.target.replace(/^\/app\/?/, './'));
      if (copy.from === 'deps') {
        expect(copy.source).toMatch(/\/node_modules$/);
        expect(productionNodeModules(app)).toBeGreaterThan(50);
      } else if (copy.from === 'build') {
        expect(copy.source).toMatch(/\/dist$/);
        linkTree(build, target, false);
      } else if (copy.from) {
        throw new Error(`the test does not know how to make the ${copy.from} stage's output`);
      } else if (statSync(join(ROOT, copy.source)).isDirectory()) {
        linkTree(join(ROOT, copy.source), target, false);
      } else {
        const file = copy.target.endsWith('/') ? join(target, basename(copy.source)) : target;
        mkdirSync(dirname(file), { recursive: true });
        link(join(ROOT, copy.source), file);
      }
    }
    // Prove the point: no dev dependency is there to be found.
    expect(existsSync(join(app, 'node_modules/@swc-node/register'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(join(app, 'node_modules/kafkajs'))).toBe(true);
    const before = snapshot(app);

    const state = join(work, 'state');
    const common = {
      KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      KAFKA_TOPIC_NAMESPACE: namespace,
      // The image's /var/lib/mash, here under the temporary directory.
      KEYS_DIR: join(state, 'keys'),
      AUDIT_CHECKPOINT_FILE: join(state, 'audit/checkpoints.jsonl'),
      LOG_LEVEL: 'warn',
    };
    const broker = startApp(app, stage, 'broker', {
      ...common,
      HOST: '127.0.0.1',
      PORT: '0',
      DATABASE_URL: `${PG}/${databases[0]}`,
      // Production sign-in; the identity provider is asked for its keys only when a token comes.
      AUTH_MODE: 'production',
      AUTH_ISSUER: 'https://idp.example.invalid/realms/mash',
      AUTH_AUDIENCE: 'mash-broker',
      AUTH_JWKS_URL: 'https://idp.example.invalid/realms/mash/certs',
    });
    running.push(broker);
    // The agency's source exists before its adapter does; the adapter only reads it.
    const pg = new Client({ connectionString: `${PG}/postgres` });
    await pg.connect();
    await pg.query(`CREATE DATABASE "${databases[1]}"`);
    await pg.end();
    writeFileSync(join(work, 'police-database-url'), `${PG}/${databases[1]}\n`);
    const adapter = startApp(app, stage, 'adapter-police', {
      ...common,
      KEYS_DIR: join(state, 'police-keys'),
      ADAPTER_HOST: '127.0.0.1',
      ADAPTER_PORT: '0',
      // The secret arrives as a file, as the compose file and the chart mount it.
      SOURCE_DATABASE_URL_FILE: join(work, 'police-database-url'),
      // The adapter's own store (ledger, inbox, match index), apart from the source.
      ADAPTER_DATABASE_URL: `${PG}/${databases[2]}`,
    });
    running.push(adapter);

    for (const [running, service] of [
      [broker, 'broker'],
      [adapter, 'adapter-police'],
    ] as const) {
      const base = await running.url;
      const res = await fetch(`${base}/health`);
      const body = (await res.json()) as Record<string, unknown>;
      expect({ service, status: res.status, ok: body.status, body }).toEqual({
        body,
        service,
        status: 200,
        ok: 'ok',
      });
    }
    const metrics = await (await fetch(`${await broker.url}/metrics`)).text();
    expect(metrics).toContain('# TYPE');

    // The operators' key tool runs from the image too (docs/operations.md, rotating keys).
    const keys = execFileSync(stage.entrypoint[0], [...stage.entrypoint.slice(1), 'keys', 'list'], {
      cwd: app,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...stage.env, KEYS_DIR: common.KEYS_DIR },
      encoding: 'utf8',
    });
    expect(keys).toMatch(/broker/);

    for (const r of [broker, adapter]) {
      const exit = await stop(r);
      // Nest's shutdown hooks close the app and then re-raise the signal.
      expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    }
    expect(snapshot(app)).toEqual(before);
  }, 90_000);
});
