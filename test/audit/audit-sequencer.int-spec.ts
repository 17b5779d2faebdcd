import { Pool, type PoolClient } from 'pg';
import {
  AuditLog,
  AuditQuery,
  AuditSequencer,
  AuditSequencerError,
  verifyChain,
  type AuditEventInput,
} from '@mash/audit';
import { dataSourceFor, ensureDatabase, resetSchema, tamper, urlFor } from './audit-db';

jest.setTimeout(60_000);

const DB = 'mash_test_audit_sequencer';
const url = urlFor(DB);
let pool: Pool;

const event = (over: Partial<AuditEventInput> = {}): AuditEventInput => ({
  partnership: 'p-north',
  actorType: 'user',
  actorId: 'analyst-1',
  actorRole: 'analyst',
  action: 'query.requested',
  outcome: 'success',
  caseId: 'case-1',
  details: { purpose: 'mash-triage' },
  ...over,
});

const log = (): AuditLog => new AuditLog(pool, { sequencing: 'deferred' });

/** A business transaction on its own connection, left open until the test commits it. */
async function openTx(): Promise<PoolClient> {
  const c = await pool.connect();
  await c.query('BEGIN');
  return c;
}

async function commit(c: PoolClient): Promise<void> {
  await c.query('COMMIT');
  c.release();
}

async function chain(chainId = 'p-north'): Promise<Array<{ case_id: string; chain_seq: number }>> {
  const { rows } = await pool.query<{ case_id: string; chain_seq: number }>(
    'SELECT case_id, chain_seq::int AS chain_seq FROM audit_event WHERE chain_id = $1 ORDER BY chain_seq',
    [chainId],
  );
  return rows;
}

async function count(table: 'audit_event' | 'audit_pending'): Promise<number> {
  return (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0].n;
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

beforeAll(async () => {
  await ensureDatabase(DB);
  pool = new Pool({ connectionString: url, max: 12 });
});
afterAll(async () => {
  await pool.end();
});
beforeEach(async () => {
  await resetSchema(pool, url);
});

describe(AuditSequencer.name, () => {
  it('sequences entries in commit order, not in the order their transactions wrote them', async () => {
    const sut = new AuditSequencer(pool);
    const first = await openTx();
    const second = await openTx();
    await log().record([event({ caseId: 'written-first' })], { tx: first });
    await log().record([event({ caseId: 'written-second' })], { tx: second });
    expect(await count('audit_event')).toBe(0);

    await commit(second);
    expect(await sut.runOnce()).toBe(1);
    await commit(first);
    expect(await sut.runOnce()).toBe(1);

    expect(await chain()).toEqual([
      { case_id: 'written-second', chain_seq: 1 },
      { case_id: 'written-first', chain_seq: 2 },
    ]);
    expect(await verifyChain(pool)).toEqual({ ok: true, checked: 2, checkpointsChecked: 0 });
    await sut.stop();
  });

  it('keeps the order of the entries one transaction wrote, past ten of them', async () => {
    const tx = await openTx();
    const cases = Array.from({ length: 12 }, (_, i) => `case-${i + 1}`);
    await log().record(
      cases.map((caseId) => event({ caseId })),
      { tx },
    );
    await commit(tx);
    const sut = new AuditSequencer(pool);
    expect(await sut.runOnce()).toBe(12);
    await sut.stop();
    expect((await chain()).map((r) => r.case_id)).toEqual(cases);
  });

  it('sequences every entry of many concurrent transactions exactly once, with no gap', async () => {
    const ds = dataSourceFor(url);
    await ds.initialize();
    const sut = new AuditSequencer(ds, { idleMs: 5 }).start();
    try {
      const writer = new AuditLog(ds, { sequencing: 'deferred' });
      const txs = Array.from({ length: 60 }, (_, i) =>
        ds.transaction((tx) =>
          writer.record(
            i % 4 === 0
              ? [event({ caseId: `n${i}` }), event({ partnership: 'p-south', caseId: `s${i}` })]
              : [event({ caseId: `n${i}` })],
            { tx },
          ),
        ),
      );
      await Promise.all(txs);
      await until(async () => (await count('audit_pending')) === 0, 'the queue to drain');
      await sut.stop();

      const { rows } = await pool.query<{ chain_id: string; n: number; max: number; ids: number }>(
        `SELECT chain_id, count(*)::int AS n, max(chain_seq)::int AS max, count(DISTINCT pending_id)::int AS ids
           FROM audit_event GROUP BY chain_id ORDER BY chain_id`,
      );
      expect(rows).toEqual([
        { chain_id: 'p-north', n: 60, max: 60, ids: 60 },
        { chain_id: 'p-south', n: 15, max: 15, ids: 15 },
      ]);
      expect(await verifyChain(pool, { batchSize: 7 })).toEqual({
        ok: true,
        checked: 75,
        checkpointsChecked: 0,
      });
      expect(sut.metrics()).toMatchObject({ sequenced: 75, leader: false, stalledChains: 0 });
      expect(sut.metrics().batches).toBeGreaterThan(0);
    } finally {
      await sut.stop();
      await ds.destroy();
    }
  });

  it('leaves no entry behind for a rolled-back transaction, and fails closed on a bad event', async () => {
    const ds = dataSourceFor(url);
    await ds.initialize();
    try {
      const writer = new AuditLog(ds, { sequencing: 'deferred' });
      await expect(
        ds.transaction(async (tx) => {
          await writer.record([event({ caseId: 'rolled-back' })], { tx });
          throw new Error('state change failed');
        }),
      ).rejects.toThrow('state change failed');
      await expect(
        ds.transaction((tx) => writer.record([event({ action: 'Not Dotted' })], { tx })),
      ).rejects.toMatchObject({ code: 'AUDIT.WRITE_FAILED' });
      await ds.transaction((tx) => writer.record([event({ caseId: 'kept' })], { tx }));

      const sut = new AuditSequencer(ds);
      expect(await sut.runOnce()).toBe(1);
      await sut.stop();
      expect(await chain()).toEqual([{ case_id: 'kept', chain_seq: 1 }]);
      expect(await count('audit_pending')).toBe(0);
    } finally {
      await ds.destroy();
    }
  });

  it('resumes after a crash mid-batch with no gap and no duplicate', async () => {
    const writer = log();
    const tx = await openTx();
    await writer.record(
      Array.from({ length: 5 }, (_, i) => event({ caseId: `c${i + 1}` })),
      { tx },
    );
    await commit(tx);

    // Hold a lock on the last waiting row, so the sequencer stops between inserting the chained
    // entries and deleting them from the queue; then kill its connection there.
    const blocker = await openTx();
    await blocker.query('SELECT id FROM audit_pending ORDER BY id DESC LIMIT 1 FOR UPDATE');
    const crashed = new AuditSequencer(pool);
    const inFlight = crashed.runOnce();
    inFlight.catch(() => undefined);
    let pid = 0;
    await until(async () => {
      const { rows } = await pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock' AND query LIKE 'DELETE FROM audit_pending%'`,
        [DB],
      );
      pid = rows[0]?.pid ?? 0;
      return pid !== 0;
    }, 'the sequencer to block mid-batch');
    expect(crashed.isLeader()).toBe(true);
    await pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await expect(inFlight).rejects.toBeInstanceOf(AuditSequencerError);
    expect(crashed.isLeader()).toBe(false);
    await blocker.query('ROLLBACK');
    blocker.release();
    expect(await count('audit_event')).toBe(0);

    const successor = new AuditSequencer(pool);
    expect(await successor.runOnce()).toBe(5);
    expect((await chain()).map((r) => [r.case_id, r.chain_seq])).toEqual([
      ['c1', 1],
      ['c2', 2],
      ['c3', 3],
      ['c4', 4],
      ['c5', 5],
    ]);
    expect(await count('audit_pending')).toBe(0);
    expect((await verifyChain(pool)).ok).toBe(true);
    await successor.stop();
  });

  it('lets only one of two sequencers assign positions, and the other take over when it goes', async () => {
    const a = new AuditSequencer(pool);
    const b = new AuditSequencer(pool);
    const tx = await openTx();
    await log().record([event({ caseId: 'one' })], { tx });
    await commit(tx);
    expect(await a.runOnce()).toBe(1);
    expect(await b.runOnce()).toBeNull();

    // Both loops running against a stream of transactions: never two leaders at once.
    a.start();
    b.start();
    let both = 0;
    const writer = log();
    for (let i = 0; i < 40; i++) {
      const c = await openTx();
      await writer.record([event({ caseId: `w${i}` })], { tx: c });
      await commit(c);
      if (a.isLeader() && b.isLeader()) both++;
    }
    await until(async () => (await count('audit_pending')) === 0, 'the queue to drain');
    expect(both).toBe(0);
    expect(b.metrics().sequenced).toBe(0);

    // The leader stops: the other takes over within its retry interval.
    await a.stop();
    const c = await openTx();
    await writer.record([event({ caseId: 'after-handover' })], { tx: c });
    await commit(c);
    await until(async () => (await count('audit_pending')) === 0, 'the successor to sequence');
    expect(b.isLeader()).toBe(true);
    await b.stop();

    const positions = (await chain()).map((r) => r.chain_seq);
    expect(positions).toEqual(Array.from({ length: 42 }, (_, i) => i + 1));
    expect((await verifyChain(pool)).ok).toBe(true);
  });

  it('queues what is written outside a transaction too, and a search that sequences first sees both in commit order', async () => {
    const writer = log();
    const tx = await openTx();
    await writer.record([event({ caseId: 'in-business-tx' })], { tx });
    await commit(tx);
    // An auditor's search records itself first (fail closed): queued too, in a statement of its
    // own, with no chain lock to wait for or hold.
    await writer.record([event({ actorRole: 'auditor', action: 'audit.searched', caseId: 'x' })]);
    expect(await count('audit_pending')).toBe(2);
    expect(await count('audit_event')).toBe(0);
    const page = await new AuditQuery(pool, { sequenceFirst: true }).search(
      { partnership: 'p-north' },
      { order: 'asc' },
    );
    expect(page.items.map((e) => [e.caseId, e.chainSeq])).toEqual([
      ['in-business-tx', 1],
      ['x', 2],
    ]);
    expect(await count('audit_pending')).toBe(0);
  });

  it('names an edited unsequenced entry, refuses to sequence its chain, and names an edited sequenced one', async () => {
    const writer = log();
    const tx = await openTx();
    const [north] = await writer.enqueue([event({ caseId: 'original' })], tx);
    await writer.record([event({ partnership: 'p-south', caseId: 'south' })], { tx });
    await commit(tx);
    await expect(pool.query(`UPDATE audit_pending SET case_id = 'x'`)).rejects.toThrow(
      /append-only/,
    );
    await expect(pool.query(`DELETE FROM audit_pending`)).rejects.toThrow(/only when sequenced/);
    await expect(pool.query(`TRUNCATE audit_pending`)).rejects.toThrow(/append-only/);

    await tamper(
      pool,
      `UPDATE audit_pending SET case_id = 'innocent' WHERE id = $1`,
      [north.pendingId],
      'audit_pending',
    );
    expect(await verifyChain(pool)).toMatchObject({
      ok: false,
      firstFailure: {
        seq: null,
        pendingId: north.pendingId,
        chainId: 'p-north',
        chainSeq: 0,
        reason: 'hash-mismatch',
      },
    });
    const errors: unknown[] = [];
    const sut = new AuditSequencer(pool, { onError: (e) => errors.push(e) });
    expect(await sut.runOnce()).toBe(1); // p-south only
    expect(await sut.runOnce()).toBe(0);
    expect(errors).toEqual([expect.any(AuditSequencerError)]);
    expect(sut.metrics().stalledChains).toBe(1);
    expect(await chain('p-north')).toEqual([]);
    expect(await chain('p-south')).toEqual([{ case_id: 'south', chain_seq: 1 }]);
    // Appends on that chain fail closed until the security team has dealt with it.
    await expect(writer.append(event())).rejects.toMatchObject({ code: 'AUDIT.WRITE_FAILED' });
    await sut.stop();

    const { rows } = await pool.query<{ seq: string }>(
      `SELECT seq FROM audit_event WHERE chain_id = 'p-south'`,
    );
    await tamper(pool, `UPDATE audit_event SET case_id = 'edited' WHERE seq = $1`, [rows[0].seq]);
    expect((await verifyChain(pool, { chainId: 'p-south' })).firstFailure).toEqual({
      seq: Number(rows[0].seq),
      chainId: 'p-south',
      chainSeq: 1,
      reason: 'hash-mismatch',
    });
  });

  it('reports its lag while entries wait and zero once the queue is empty', async () => {
    const sut = new AuditSequencer(pool);
    const tx = await openTx();
    await log().record([event()], { tx });
    await commit(tx);
    await sut.runOnce();
    expect(sut.metrics().lagSeconds).toBeGreaterThanOrEqual(0);
    expect(sut.metrics().sequenced).toBe(1);
    await sut.runOnce();
    expect(sut.metrics().lagSeconds).toBe(0);
    await sut.stop();
  });
});
