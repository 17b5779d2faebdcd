import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/*
 * A real FHIR R4 server for tests: HAPI FHIR's RestfulServer on embedded Jetty (test/fhir-server),
 * built once with Maven into .local/fhir-server/ (rebuilt only when its pom or sources change) and
 * started on a free loopback port with the resources of a fixture bundle. See README.md here.
 */

const ROOT = resolve(__dirname, '../..');
const PROJECT = resolve(ROOT, 'test/fhir-server');
const OUT = resolve(ROOT, '.local/fhir-server');
const JAR = join(OUT, 'target/mash-test-fhir-server-0.0.0.jar');
const STAMP = join(OUT, 'build.sha256');

const say = (line: string) => process.stderr.write(`fhir-server: ${line}\n`);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : [join(dir, e.name)],
  );
}

/** What the build is made from: the pom and the Java sources. */
function sourceHash(): string {
  const hash = createHash('sha256');
  for (const file of [join(PROJECT, 'pom.xml'), ...sources(join(PROJECT, 'src')).sort()])
    hash.update(file.slice(PROJECT.length)).update(readFileSync(file));
  return hash.digest('hex');
}

/** Builds the server jar and copies its runtime jars, unless the cached build is current. */
export function buildFhirServer(): void {
  const wanted = sourceHash();
  if (existsSync(JAR) && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === wanted) return;
  const mvn = spawnSync('mvn', ['-v'], { stdio: 'ignore' });
  if (mvn.status !== 0) throw new Error('Maven (mvn) is needed once to build the test FHIR server');
  say('building the HAPI FHIR test server with Maven (first run, or its sources changed)...');
  const started = Date.now();
  rmSync(join(OUT, 'libs'), { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const log = join(OUT, 'maven.log');
  const built = spawnSync(
    'mvn',
    ['-q', '-B', '-f', join(PROJECT, 'pom.xml'), 'package', `-Dfhir.out.dir=${OUT}`],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  writeFileSync(log, `${built.stdout ?? ''}${built.stderr ?? ''}`);
  if (built.status !== 0 || !existsSync(JAR))
    throw new Error(`building the test FHIR server failed (exit ${built.status}); see ${log}`);
  writeFileSync(STAMP, wanted);
  say(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export interface RunningFhirServer {
  /** `http://127.0.0.1:<port>/fhir` */
  baseUrl: string;
  stop(): Promise<void>;
}

/** Starts the server on a free loopback port with the resources of `bundle` (a FHIR JSON Bundle). */
export async function startFhirServer(
  bundle: string,
  timeoutMs = 30_000,
): Promise<RunningFhirServer> {
  buildFhirServer();
  const java = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin/java') : 'java';
  const child: ChildProcess = spawn(
    java,
    [
      // A short-lived test server: small heap, C1 only (starts faster than full tiered compilation).
      '-Xms64m',
      '-Xmx256m',
      '-XX:TieredStopAtLevel=1',
      '-cp',
      `${JAR}:${join(OUT, 'libs')}/*`,
      'uk.gov.mash.fhir.TestFhirServer',
      '0',
      resolve(bundle),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let errors = '';
  child.stderr?.on('data', (d: Buffer) => {
    errors = (errors + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    const baseUrl = await new Promise<string>((ready, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`the test FHIR server did not start in ${timeoutMs} ms:\n${errors}`)),
        timeoutMs,
      );
      let out = '';
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /FHIR_SERVER_READY (\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          ready(m[1]);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`the test FHIR server exited (${code}) before it was ready:\n${errors}`));
      });
    });
    return { baseUrl, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
