import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { AuditLog, Checkpointer, generateCheckpointKeys } from '@mash/audit';
import { ensureDatabase, resetSchema, tamper, urlFor } from './audit-db';

jest.setTimeout(60_000);

const DB = 'mash_test_audit_cli';
const url = urlFor(DB);
const root = join(__dirname, '..', '..');
let pool: Pool;
let dir: string;

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
  const keys = generateCheckpointKeys('cli-key');
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
    expect(lines).toHaveLength(10);
    expect(new Set(lines.map((l) => l.partnership))).toEqual(new Set(['p-east']));

    const out = join(dir, 'west.csv');
    expect(
      (await cli('export', '--partnership', 'p-west', '--format', 'csv', '--out', out)).code,
    ).toBe(0);
    const csv = (await readFile(out, 'utf8')).trim().split('\n');
    expect(csv[0]).toMatch(/^seq,chain_id,chain_seq,occurred_at,partnership/);
    expect(csv).toHaveLength(21);

    expect((await cli('export')).code).toBe(2);
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
    expect(JSON.parse(sut.stdout)).toMatchObject({ ok: true, checked: 30, checkpointsChecked: 2 });
    expect(sut.stderr).toMatch(/audit-checkpoint\.public\.json/);
  });

  it('exits 0 on an intact log, and 1 naming the first bad entry after tampering', async () => {
    const intact = await cli(...verifyArgs());
    expect(intact.code).toBe(0);
    expect(JSON.parse(intact.stdout)).toMatchObject({ ok: true, checked: 30 });

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
  });
});
