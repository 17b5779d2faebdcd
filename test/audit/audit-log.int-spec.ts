import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import {
  AuditLog,
  AuditWriteError,
  Checkpointer,
  GENESIS_PREV_HASH,
  entryHash,
  generateCheckpointKeys,
  readCheckpointFile,
  signCheckpoint,
  verifyChain,
  type AuditEntry,
  type AuditEventInput,
  type SignedCheckpoint,
} from '@mash/audit';
import { dataSourceFor, ensureDatabase, resetSchema, tamper, urlFor } from './audit-db';

jest.setTimeout(60_000);

const DB = 'mash_test_audit';
const url = urlFor(DB);
let pool: Pool;
let dir: string;

const event = (over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  partnership: 'p-north',
  actorType: 'user',
  actorId: 'analyst-1',
  actorRole: 'analyst',
  action: 'query.dispatched',
  outcome: 'success',
  caseId: 'case-1',
  agency: 'police',
  details: { purpose: 'mash-triage' },
  ...over,
});

async function appendN(
  sut: AuditLog,
  n: number,
  over: Partial<AuditEventInput> = {},
): Promise<AuditEntry[]> {
  return sut.appendMany(
    Array.from({ length: n }, (_, i) => event({ caseId: `case-${i}`, ...over })),
  );
}

async function rowAt(chainId: string, chainSeq: number): Promise<{ seq: number }> {
  const { rows } = await pool.query<{ seq: string }>(
    'SELECT seq FROM audit_event WHERE chain_id = $1 AND chain_seq = $2',
    [chainId, chainSeq],
  );
  return { seq: Number(rows[0].seq) };
}

beforeAll(async () => {
  await ensureDatabase(DB);
  pool = new Pool({ connectionString: url, max: 8 });
});
afterAll(async () => {
  await pool.end();
});
beforeEach(async () => {
  await resetSchema(pool, url);
  dir = await mkdtemp(join(tmpdir(), 'audit-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe(AuditLog.name, () => {
  it('chains entries per partnership, puts partnership-less events on the system chain, and verifies', async () => {
    const sut = new AuditLog(pool);
    const a1 = await sut.append(event());
    const a2 = await sut.append(event({ outcome: 'deny', action: 'policy.decision' }));
    const b1 = await sut.append(event({ partnership: 'p-south' }));
    const s1 = await sut.append(
      event({
        partnership: null,
        actorType: 'service',
        actorId: 'broker',
        action: 'auth.failed',
        outcome: 'failure',
      }),
    );

    expect([a1.chainId, a1.chainSeq, a1.prevHash]).toEqual(['p-north', 1, GENESIS_PREV_HASH]);
    expect([a2.chainSeq, a2.prevHash]).toEqual([2, a1.hash]);
    expect([b1.chainId, b1.chainSeq]).toEqual(['p-south', 1]);
    expect([s1.chainId, s1.chainSeq]).toEqual(['system', 1]);
    expect(await verifyChain(pool)).toEqual({ ok: true, checked: 4, checkpointsChecked: 0 });
  });

  it('writes inside the caller’s TypeORM transaction, so a rollback removes the audit entry too', async () => {
    const ds = dataSourceFor(url);
    await ds.initialize();
    try {
      const sut = new AuditLog(ds);
      await expect(
        ds.transaction(async (tx) => {
          await sut.append(event({ caseId: 'rolled-back' }), { tx });
          throw new Error('state change failed');
        }),
      ).rejects.toThrow('state change failed');
      await ds.transaction((tx) => sut.append(event({ caseId: 'kept' }), { tx }));
      await sut.append(event({ caseId: 'own-tx' }));
      const { rows } = await pool.query<{ case_id: string; chain_seq: string }>(
        'SELECT case_id, chain_seq FROM audit_event ORDER BY seq',
      );
      expect(rows).toEqual([
        { case_id: 'kept', chain_seq: '1' },
        { case_id: 'own-tx', chain_seq: '2' },
      ]);
      expect((await verifyChain(ds)).ok).toBe(true);
    } finally {
      await ds.destroy();
    }
  });

  it('fails closed with AUDIT.WRITE_FAILED on an invalid event or an unreachable database', async () => {
    const sut = new AuditLog(pool);
    const bad = sut.append(event({ action: 'Not Dotted', actorId: 'Jane Smith 01/02/2015' }));
    await expect(bad).rejects.toBeInstanceOf(AuditWriteError);
    await expect(bad).rejects.toMatchObject({ code: 'AUDIT.WRITE_FAILED' });
    await expect(bad).rejects.not.toThrow(/Jane/);
    await expect(sut.append(event({ details: { count: BigInt(1) } }))).rejects.toMatchObject({
      code: 'AUDIT.WRITE_FAILED',
    });
    // A NUL cannot be stored in text: the database refuses, and so must append.
    await expect(sut.append(event({ caseId: 'case\u0000' }))).rejects.toMatchObject({
      code: 'AUDIT.WRITE_FAILED',
    });

    const deadPool = new Pool({
      connectionString: urlFor('mash_test_audit_missing_db'),
      connectionTimeoutMillis: 2000,
    });
    try {
      await expect(new AuditLog(deadPool).append(event())).rejects.toMatchObject({
        code: 'AUDIT.WRITE_FAILED',
      });
    } finally {
      await deadPool.end();
    }
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_event')).rows[0].n).toBe(0);
  });

  it('refuses UPDATE, DELETE and TRUNCATE on both audit tables', async () => {
    await new AuditLog(pool).append(event());
    await new Checkpointer(pool, { key: generateCheckpointKeys('k1'), file: null }).checkpointAll();
    for (const table of ['audit_event', 'audit_checkpoint']) {
      await expect(pool.query(`UPDATE ${table} SET chain_id = 'x'`)).rejects.toThrow(/append-only/);
      await expect(pool.query(`DELETE FROM ${table}`)).rejects.toThrow(/append-only/);
      await expect(pool.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
    }
    expect((await verifyChain(pool)).ok).toBe(true);
  });

  it.each([
    { strategy: 'optimistic', coalesce: true },
    { strategy: 'optimistic', coalesce: false },
    { strategy: 'lock', coalesce: false },
  ] as const)('never forks a chain under eight concurrent writers (%o)', async (options) => {
    // Two instances, so each one's cached chain heads are regularly stale.
    const logs = [new AuditLog(pool, options), new AuditLog(pool, options)];
    const calls = 240;
    const writes = Array.from({ length: calls }, (_, i) => {
      const sut = logs[i % 2];
      return i % 5 === 0
        ? sut.appendMany([event({ caseId: `b${i}` }), event({ partnership: 'p-south' })])
        : sut.append(event({ caseId: `c${i}` }));
    });
    const written = (await Promise.all(writes)).flat();
    const { rows } = await pool.query<{ chain_id: string; n: number; max: number }>(
      'SELECT chain_id, count(*)::int AS n, max(chain_seq)::int AS max FROM audit_event GROUP BY chain_id ORDER BY chain_id',
    );
    const south = calls / 5;
    expect(rows).toEqual([
      { chain_id: 'p-north', n: calls, max: calls },
      { chain_id: 'p-south', n: south, max: south },
    ]);
    expect(new Set(written.map((e) => `${e.chainId}/${e.chainSeq}`)).size).toBe(calls + south);
    expect(await verifyChain(pool, { batchSize: 37 })).toEqual({
      ok: true,
      checked: calls + south,
      checkpointsChecked: 0,
    });
  });

  it('recovers when another writer moved the chain on since this instance last wrote', async () => {
    const sut = new AuditLog(pool);
    await sut.append(event());
    await new AuditLog(pool).appendMany([event(), event()]);
    const next = await sut.append(event());
    expect(next.chainSeq).toBe(4);
    expect((await verifyChain(pool)).ok).toBe(true);
  });
});

describe(verifyChain.name, () => {
  const keys = generateCheckpointKeys('audit-2026-1');
  const publicKeys = { [keys.kid]: keys.publicKey };

  async function chainWithCheckpoint(
    n: number,
  ): Promise<{ entries: AuditEntry[]; checkpoints: SignedCheckpoint[]; file: string }> {
    const entries = await appendN(new AuditLog(pool), n);
    const file = join(dir, 'checkpoints.jsonl');
    await new Checkpointer(pool, { key: keys, file }).checkpointAll();
    return { entries, checkpoints: await readCheckpointFile(file), file };
  }

  it('detects an UPDATE of one entry and names it', async () => {
    await appendN(new AuditLog(pool), 10);
    await tamper(pool, `UPDATE audit_event SET outcome = 'permit' WHERE chain_seq = 6`);
    const sut = await verifyChain(pool);
    expect(sut).toMatchObject({
      ok: false,
      checked: 5,
      firstFailure: {
        ...(await rowAt('p-north', 6)),
        chainId: 'p-north',
        chainSeq: 6,
        reason: 'hash-mismatch',
      },
    });
  });

  it('detects a deleted entry as a gap at the entry after it', async () => {
    await appendN(new AuditLog(pool), 10);
    const after = await rowAt('p-north', 5);
    await tamper(pool, `DELETE FROM audit_event WHERE chain_seq = 4`);
    expect((await verifyChain(pool)).firstFailure).toEqual({
      ...after,
      chainId: 'p-north',
      chainSeq: 5,
      reason: 'gap',
    });
  });

  it('detects two entries swapped in the table', async () => {
    await appendN(new AuditLog(pool), 10);
    const { seq: s3 } = await rowAt('p-north', 3);
    const { seq: s4 } = await rowAt('p-north', 4);
    // Swap the two rows' places in the table (their seq): every hash and link still checks out.
    await tamper(pool, `UPDATE audit_event SET seq = -1 WHERE seq = $1`, [s3]);
    await tamper(pool, `UPDATE audit_event SET seq = $1 WHERE seq = $2`, [s3, s4]);
    await tamper(pool, `UPDATE audit_event SET seq = $1 WHERE seq = -1`, [s4]);
    const sut = await verifyChain(pool);
    expect(sut.firstFailure).toEqual({
      seq: s4,
      chainId: 'p-north',
      chainSeq: 3,
      reason: 'reordered',
    });
  });

  it('names a forged entry slipped into the middle of a chain', async () => {
    await appendN(new AuditLog(pool), 10);
    const { rows } = await pool.query<{ hash: string }>(
      `SELECT hash FROM audit_event WHERE chain_seq = 5`,
    );
    // Make room at position 6 and insert a well-formed entry linked to position 5.
    await tamper(pool, `UPDATE audit_event SET chain_seq = chain_seq + 100 WHERE chain_seq > 5`);
    await tamper(pool, `UPDATE audit_event SET chain_seq = chain_seq - 99 WHERE chain_seq > 100`);
    const body = {
      chainId: 'p-north',
      chainSeq: 6,
      occurredAt: new Date().toISOString(),
      partnership: 'p-north',
      actorType: 'user' as const,
      actorId: 'analyst-9',
      actorRole: 'analyst',
      action: 'query.dispatched',
      outcome: 'success' as const,
      caseId: 'case-x',
      queryId: null,
      agency: 'health',
      subjectPseudonyms: [],
      correlationId: null,
      details: {},
      prevHash: rows[0].hash,
    };
    const { rows: forged } = await pool.query<{ seq: string }>(
      `INSERT INTO audit_event (chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, actor_role, action, outcome, case_id, agency, prev_hash, hash)
       VALUES ('p-north', 6, $1, 'p-north', 'user', 'analyst-9', 'analyst', 'query.dispatched', 'success', 'case-x', 'health', $2, $3) RETURNING seq`,
      [body.occurredAt, body.prevHash, entryHash(body)],
    );
    expect((await verifyChain(pool)).firstFailure).toEqual({
      seq: Number(forged[0].seq),
      chainId: 'p-north',
      chainSeq: 6,
      reason: 'reordered',
    });
  });

  it('detects a forged entry appended at the head with a made-up hash', async () => {
    const [last] = (await appendN(new AuditLog(pool), 3)).slice(-1);
    const { rows } = await pool.query<{ seq: string }>(
      `INSERT INTO audit_event (chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, action, outcome, prev_hash, hash)
       VALUES ('p-north', 4, now(), 'p-north', 'user', 'analyst-9', 'query.dispatched', 'success', $1, $2) RETURNING seq`,
      [last.hash, 'f'.repeat(64)],
    );
    expect((await verifyChain(pool)).firstFailure).toEqual({
      seq: Number(rows[0].seq),
      chainId: 'p-north',
      chainSeq: 4,
      reason: 'hash-mismatch',
    });
  });

  it('detects a dropped tail only through the external checkpoint file', async () => {
    const { checkpoints } = await chainWithCheckpoint(10);
    await tamper(pool, `DELETE FROM audit_event WHERE chain_seq > 7`);
    expect((await verifyChain(pool)).ok).toBe(true);
    expect((await verifyChain(pool, { checkpoints, publicKeys })).firstFailure).toEqual({
      seq: null,
      chainId: 'p-north',
      chainSeq: 10,
      reason: 'truncated',
      // The failure names the checkpoint that disagreed, so the auditor knows which copy to check.
      checkpoint: checkpoints[0],
    });
  });

  it('detects a rewrite of the whole chain only through the external checkpoint', async () => {
    const { entries, checkpoints } = await chainWithCheckpoint(6);
    // Edit entry 2 and recompute every hash after it, as an attacker with the algorithm would.
    let prev = GENESIS_PREV_HASH;
    for (const e of entries) {
      const body = { ...e, prevHash: prev, caseId: e.chainSeq === 2 ? 'innocent-case' : e.caseId };
      const hash = entryHash(body);
      await tamper(
        pool,
        `UPDATE audit_event SET case_id = $1, prev_hash = $2, hash = $3 WHERE seq = $4`,
        [body.caseId, prev, hash, e.seq],
      );
      prev = hash;
    }
    expect((await verifyChain(pool)).ok).toBe(true);
    const sut = await verifyChain(pool, { checkpoints, publicKeys });
    expect(sut.firstFailure).toEqual({
      seq: entries[5].seq,
      chainId: 'p-north',
      chainSeq: 6,
      reason: 'checkpoint-mismatch',
      checkpoint: checkpoints[0],
    });
  });

  it('rejects a checkpoint signed with the wrong key or edited in the file', async () => {
    const { checkpoints, file } = await chainWithCheckpoint(4);
    expect(await verifyChain(pool, { checkpoints, publicKeys })).toEqual({
      ok: true,
      checked: 4,
      checkpointsChecked: 1,
    });

    const intruder = generateCheckpointKeys(keys.kid);
    const forgedBy = signCheckpoint(
      { ...checkpoints[0], signedAt: new Date().toISOString() },
      intruder,
    );
    expect(
      (await verifyChain(pool, { checkpoints: [forgedBy], publicKeys })).firstFailure,
    ).toMatchObject({ reason: 'checkpoint-signature-invalid', chainSeq: 4 });

    // Claim an earlier head (to hide entries after it) by editing the plain fields of the line.
    const line = JSON.parse((await readFile(file, 'utf8')).trim()) as SignedCheckpoint;
    await writeFile(
      file,
      `${JSON.stringify({ ...line, chainSeq: 2, headHash: await rowHash(2) })}\n`,
    );
    expect(
      (await verifyChain(pool, { checkpoints: await readCheckpointFile(file), publicKeys }))
        .firstFailure,
    ).toEqual({
      seq: null,
      chainId: 'p-north',
      chainSeq: 2,
      reason: 'checkpoint-signature-invalid',
      checkpoint: expect.objectContaining({ chainId: 'p-north', chainSeq: 2 }),
    });
  });

  it('verifies a range of positions anchored on the entry before it', async () => {
    await appendN(new AuditLog(pool), 20);
    await tamper(pool, `UPDATE audit_event SET outcome = 'deny' WHERE chain_seq = 3`);
    expect(await verifyChain(pool, { fromSeq: 5, toSeq: 15 })).toEqual({
      ok: true,
      checked: 11,
      checkpointsChecked: 0,
    });
    expect((await verifyChain(pool, { fromSeq: 2, toSeq: 15 })).firstFailure).toMatchObject({
      chainSeq: 3,
      reason: 'hash-mismatch',
    });
  });
});

async function rowHash(chainSeq: number): Promise<string> {
  const { rows } = await pool.query<{ hash: string }>(
    'SELECT hash FROM audit_event WHERE chain_seq = $1',
    [chainSeq],
  );
  return rows[0].hash;
}

describe(Checkpointer.name, () => {
  it('signs each moved chain head once and records it in the table, the file and the publisher', async () => {
    const sut = new Checkpointer(pool, {
      key: generateCheckpointKeys('k1'),
      file: join(dir, 'cp', 'checkpoints.jsonl'),
      publish: (cp) => void published.push(cp),
    });
    const published: SignedCheckpoint[] = [];
    const log = new AuditLog(pool);
    await log.append(event());
    await log.append(event({ partnership: 'p-south' }));

    const first = await sut.checkpointAll();
    expect(first.map((c) => [c.chainId, c.chainSeq])).toEqual([
      ['p-north', 1],
      ['p-south', 1],
    ]);
    expect(await sut.checkpointAll()).toEqual([]);
    await log.append(event());
    const second = await sut.checkpointAll();

    expect(second.map((c) => [c.chainId, c.chainSeq])).toEqual([['p-north', 2]]);
    expect(published).toEqual([...first, ...second]);
    expect(await readCheckpointFile(join(dir, 'cp', 'checkpoints.jsonl'))).toEqual([
      ...first,
      ...second,
    ]);
    expect((await pool.query('SELECT count(*)::int AS n FROM audit_checkpoint')).rows[0].n).toBe(3);
  });
});

describe('audit schema', () => {
  it('matches its TypeORM entities, so a regenerated migration would be empty', async () => {
    const ds = dataSourceFor(url);
    await ds.initialize();
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('declares on the entities exactly the indexes the migrations leave', async () => {
    const ds = dataSourceFor(url);
    await ds.initialize();
    try {
      for (const table of ['audit_event', 'audit_pending', 'audit_checkpoint']) {
        const meta = ds.getMetadata(table);
        const declared = [
          `${table}_pkey`,
          ...meta.indices.map((i) => i.name),
          ...meta.uniques.map((u) => u.name),
        ].sort();
        const { rows } = await pool.query<{ name: string }>(
          `SELECT indexname AS name FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1`,
          [table],
        );
        expect(rows.map((r) => r.name).sort()).toEqual(declared);
      }
    } finally {
      await ds.destroy();
    }
  });
});
