import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AuditLog, Checkpointer, generateCheckpointKeys, signCheckpoint } from '@mash/audit';
import { ensureDatabase, resetSchema, tamper, urlFor } from './audit-db';

jest.setTimeout(60_000);

const DB = 'mash_test_audit_cli';
const url = urlFor(DB);
const root = join(__dirname, '..', '..');
let pool: Pool;
let dir: string;
let keys: ReturnType<typeof generateCheckpointKeys>;
const entries = async (): Promise<number> =>
  Number((await pool.query('SELECT count(*) AS n FROM audit_event')).rows[0].n);

type Result = { code: number; stdout: string; stderr: string };

function cli(...args: string[]): Promise<Result> {
  return cliWith({}, ...args);
}

function cliWith(env: Record<string, string>, ...args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['-r', '@swc-node/register', 'scripts/audit.ts', ...args],
      { cwd: root, env: { ...process.env, DATABASE_URL: url, ...env } },
      (err, stdout, stderr) =>
        resolve({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1,
          stdout,
          stderr,
        }),
    );
  });
}

beforeAll(async () => {
  await ensureDatabase(DB);
  pool = new Pool({ connectionString: url, max: 4 });
  await resetSchema(pool, url);
  dir = await mkdtemp(join(tmpdir(), 'audit-cli-'));
  keys = generateCheckpointKeys('cli-key');
  await writeFile(join(dir, 'keys.json'), JSON.stringify({ keys: [keys.publicJwk] }));
  // Where the broker publishes it: <KEYS_DIR>/audit-checkpoint.public.json.
  await mkdir(join(dir, 'keys'));
  await writeFile(
    join(dir, 'keys', 'audit-checkpoint.public.json'),
    JSON.stringify({ keys: [keys.publicJwk] }),
  );
  const log = new AuditLog(pool);
  for (let i = 0; i < 30; i++) {
    await log.append({
      partnership: i % 3 === 0 ? 'p-east' : 'p-west',
      actorType: 'user',
      actorId: `u${i % 4}`,
      action: 'query.dispatched',
      outcome: 'success',
      caseId: `c${i}`,
      details: { note: 'a, "quoted" value' },
    });
  }
  await new Checkpointer(pool, { key: keys, file: join(dir, 'checkpoints.jsonl') }).checkpointAll();
});
afterAll(async () => {
  await pool.end();
  await rm(dir, { recursive: true, force: true });
});

describe('npm run audit', () => {
  const verifyArgs = (): string[] => [
    'verify',
    '--checkpoints',
    join(dir, 'checkpoints.jsonl'),
    '--public-keys',
    join(dir, 'keys.json'),
  ];

  it('exports one partnership as JSON Lines and as CSV', async () => {
    const jsonl = await cli('export', '--partnership', 'p-east', '--format', 'jsonl');
    expect(jsonl.code).toBe(0);
    const lines = jsonl.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { partnership: string });
    // The ten entries, then the export's own record, written before the export ran.
    expect(lines).toHaveLength(11);
    expect(new Set(lines.map((l) => l.partnership))).toEqual(new Set(['p-east']));
    expect(lines[10]).toMatchObject({
      action: 'audit.exported',
      actorId: expect.stringMatching(/^cli:/),
      details: { via: 'cli', format: 'jsonl' },
    });

    const out = join(dir, 'west.csv');
    expect(
      (await cli('export', '--partnership', 'p-west', '--format', 'csv', '--out', out)).code,
    ).toBe(0);
    const csv = (await readFile(out, 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^seq,chain_id,chain_seq,occurred_at,partnership/);
    expect(csv).toHaveLength(22);

    expect((await cli('export')).code).toBe(2);
    const badDate = await cli('export', '--partnership', 'p-east', '--since', 'last tuesday');
    expect(badDate.code).toBe(2);
    expect(badDate.stderr).toMatch(/--since must be an ISO 8601 date or time/);
  });

  it('exports the system chain (failed sign-ins that name no partnership) with --partnership system', async () => {
    await new AuditLog(pool).append({
      actorType: 'user',
      actorId: 'anonymous',
      action: 'auth.failed',
      outcome: 'failure',
      details: { code: 'AUTH.TOKEN_MISSING', client: '10.0.0.1', route: 'GET /api/v1/cases' },
    });
    const sut = await cli('export', '--partnership', 'system', '--action', 'auth.failed');
    expect(sut.code).toBe(0);
    const lines = sut.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { chainId: string; action: string });
    expect(lines).toEqual([expect.objectContaining({ chainId: 'system', action: 'auth.failed' })]);
  });

  it('verify finds the broker-published keys and checkpoint file without flags', async () => {
    const sut = await cliWith(
      {
        KEYS_DIR: join(dir, 'keys'),
        AUDIT_CHECKPOINT_FILE: join(dir, 'checkpoints.jsonl'),
      },
      'verify',
      '--no-stored-checkpoints',
    );
    expect(sut.code).toBe(0);
    // Two chains, each checkpointed once: the file's checkpoints were found and checked.
    expect(JSON.parse(sut.stdout)).toMatchObject({
      ok: true,
      checked: await entries(),
      checkpointsChecked: 2,
    });
    expect(sut.stderr).toMatch(/audit-checkpoint\.public\.json/);
  });

  it('exits 0 on an intact log, and 1 naming the first bad entry after tampering', async () => {
    const intact = await cli(...verifyArgs());
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, checked: await entries() });

    await tamper(
      pool,
      `UPDATE audit_event SET actor_id = 'someone-else' WHERE chain_id = 'p-west' AND chain_seq = 7`,
    );
    const broken = await cli(...verifyArgs());
    expect(broken.code).toBe(1);
    expect(JSON.parse(broken.stdout).firstFailure).toMatchObject({
      chainId: 'p-west',
      chainSeq: 7,
      reason: 'hash-mismatch',
    });
    expect(broken.stderr).toMatch(/TAMPERING DETECTED/);
    expect(JSON.parse(broken.stdout).firstFailure.remedy).toMatch(/escalate/);
  });

  it('names the checkpoint copy that disagrees, and the remedy for a recreated database', async () => {
    // A checkpoint of a log that no longer exists, kept in the file only.
    const stale = join(dir, 'stale-checkpoints.jsonl');
    const cp = signCheckpoint(
      {
        chainId: 'p-east',
        chainSeq: 2,
        headHash: 'f'.repeat(64),
        signedAt: '2026-01-01T00:00:00.000Z',
      },
      keys,
    );
    await writeFile(stale, `${JSON.stringify(cp)}\n`);
    const sut = await cli(
      'verify',
      '--chain',
      'p-east',
      '--checkpoints',
      stale,
      '--public-keys',
      join(dir, 'keys.json'),
    );
    expect(sut.code).toBe(1);
    expect(JSON.parse(sut.stdout).firstFailure).toMatchObject({
      reason: 'checkpoint-mismatch',
      checkpointSources: [`file ${stale}`],
    });
    expect(sut.stderr).toContain(`the checkpoint that disagrees is in: file ${stale}`);
    expect(sut.stderr).toMatch(/recreated .*move it aside/);
  });
});
