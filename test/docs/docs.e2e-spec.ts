/**
 * Every shell and HTTP example in README.md and docs/ that can run against a local federation
 * runs here, as written (only the broker's address is the test federation's), so the docs
 * cannot drift from what the project does. Examples that cannot run in a test (npm start, the
 * Kafka script, benchmarks, option synopses) are listed with the reason; see scripts/doc-examples.ts.
 */
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { httpCalls, projectExamples, type DocExample } from '../../scripts/doc-examples';
import { Federation, ROOT, baseEnv, dropDatabases, seedSources } from '../support/federation';

const examples = projectExamples(ROOT);
const runnable = examples.filter((e) => e.kind !== 'other' && e.skip === undefined);
const where = (e: DocExample) => `${e.file}:${e.line}`;

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  return new Promise((done) => {
    execFile(
      'bash',
      ['-c', script],
      { cwd: ROOT, env, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 },
      (err, stdout, stderr) =>
        done({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
          out: `${stdout}\n${stderr}`.slice(-4000),
        }),
    );
  });
}

describe('The examples in README.md and docs/', () => {
  // A checkpoint file of its own: the test databases are recreated, so another run's checkpoints
  // would (rightly) make `npm run audit -- verify` report a rewritten log.
  const checkpoints = resolve(ROOT, '.local/test/audit/checkpoints-docs.jsonl');
  const federation = new Federation(baseEnv({ AUDIT_CHECKPOINT_FILE: checkpoints }));
  let base: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    rmSync(checkpoints, { force: true });
    await dropDatabases(['broker', 'police', 'health', 'education', 'social-care']);
    seedSources();
    await federation.start();
    base = `http://127.0.0.1:${federation.env.PORT}`;
    for (const role of ['analyst', 'manager', 'auditor', 'agreement-admin'] as const)
      tokens[role] = await federation.token(role, 'demo', `docs-${role}`);
    process.stderr.write(
      `docs test: running ${runnable.length} of ${examples.filter((e) => e.kind !== 'other').length} shell and HTTP examples` +
        ` (${examples
          .filter((e) => e.skip)
          .map((e) => `${where(e)} not run: ${e.skip}`)
          .join('; ')})\n`,
    );
  }, 180_000);

  afterAll(async () => {
    await federation.stop();
  });

  it('finds the examples to run', () => {
    // The README walkthrough and the audit, identity, keys and agreements examples at least.
    expect(runnable.length).toBeGreaterThanOrEqual(10);
  });

  it.each(runnable.filter((e) => e.kind === 'shell').map((e) => [where(e), e] as const))(
    'runs the shell example at %s',
    async (_where, example) => {
      const prelude = [
        'set -euo pipefail',
        // A documented call that answers an error fails the example.
        'curl() { command curl --fail-with-body --silent --show-error "$@"; }',
        `API=${base}/api/v1`,
        `TOKEN=${tokens.analyst}`,
        `AUDITOR=${tokens.auditor}`,
      ].join('\n');
      const script = example.text.replaceAll('http://127.0.0.1:3000', base);
      const result = await bash(`${prelude}\n${script}`, { ...process.env, ...federation.env });
      // On failure the assertion shows the example's output.
      expect(result.code === 0 ? 'exit 0' : `exit ${result.code}: ${result.out}`).toBe('exit 0');
    },
    150_000,
  );

  it.each(runnable.filter((e) => e.kind === 'http').map((e) => [where(e), e] as const))(
    'makes the HTTP calls at %s',
    async (_where, example) => {
      for (const call of httpCalls(example)) {
        const role = call.path.startsWith('/api/v1/audit')
          ? 'auditor'
          : call.path.startsWith('/api/v1/agreements') && call.method !== 'GET'
            ? 'agreement-admin'
            : 'analyst';
        const agent = request(federation.http());
        const method = call.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
        const res = await agent[method](call.path)
          .set('Authorization', `Bearer ${tokens[role]}`)
          .send(call.body as object);
        expect([`${call.method} ${call.path}`, res.status < 300 ? 'ok' : res.body]).toEqual([
          `${call.method} ${call.path}`,
          'ok',
        ]);
      }
    },
  );
});
