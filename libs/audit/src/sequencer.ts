import type { PoolClient } from 'pg';
import type { QueryRunner } from 'typeorm';
import { sequenceLocked } from './audit-log';
import { AuditError, safeDbDetail } from './errors';
import { isDataSource, queryRows, type AuditDatabase, type SqlExecutor } from './executor';

/**
 * Leadership: a session advisory lock in the two-int4 key space, which never collides with the
 * chains' one-bigint `hashtext(chain_id)` locks. Held on the leader's own connection, so it is
 * released the moment that connection (or its process) dies, and another instance takes over.
 */
const LEADER_LOCK = 'pg_try_advisory_lock(1296127816, 1)';
const LEADER_UNLOCK = 'pg_advisory_unlock(1296127816, 1)';

/** A sequencer failure; names chains and row ids only, never contents. */
export class AuditSequencerError extends AuditError {
  readonly code = 'AUDIT.SEQUENCER_FAILED';
  constructor(
    message: string,
    readonly detail: { readonly chainId?: string; readonly pendingId?: number; sqlState?: string },
  ) {
    super(message);
    this.name = 'AuditSequencerError';
  }
}

export interface AuditSequencerOptions {
  /** Unsequenced entries per transaction. Default 1000. */
  readonly batchSize?: number;
  /** Pause after a pass that found less than a full batch, in ms. Default 100. */
  readonly idleMs?: number;
  /**
   * Each pass that finds nothing doubles the pause, up to this, in ms. Default 500. Entries are
   * durable from their own commit and searches sequence what waits before reading, so the pause
   * delays only the chain's positions, and an idle broker stops asking PostgreSQL 40 times a second.
   */
  readonly maxIdleMs?: number;
  /** Pause before trying again for leadership (or after an error), in ms. Default 1000. */
  readonly retryMs?: number;
  /** Errors of a pass (it carries on); an `AuditSequencerError` for a tampered entry. */
  readonly onError?: (err: unknown) => void;
}

/** Values for a metrics endpoint; read them any time (no I/O). */
export interface AuditSequencerMetrics {
  /** This instance holds leadership (it is the one assigning positions). */
  readonly leader: boolean;
  /** Entries this instance sequenced since it started. */
  readonly sequenced: number;
  /** Sequencing passes that moved at least one entry. */
  readonly batches: number;
  /**
   * Sequencing lag: how long the longest-waiting entry of the last pass waited between its
   * transaction writing it and getting a position, in seconds; 0 once a pass finds nothing waiting.
   */
  readonly lagSeconds: number;
  /** Chains held back because an unsequenced entry on them was edited (verification names it). */
  readonly stalledChains: number;
}

/**
 * Trillian's log signer for `audit_pending`: one leader at a time (session advisory lock) assigns
 * chain positions and hashes in batches, each batch one transaction (see `sequenceLocked`), so a
 * crash mid-batch leaves the entries unsequenced for the next leader: no gap, no duplicate.
 * Appends on the log's own connections sequence their chains' waiting entries themselves (under
 * the same chain locks), so readers that write first (an auditor's search) see what committed before.
 * Signing heads stays with `Checkpointer` on its interval; a head is only signed once sequenced.
 */
export class AuditSequencer {
  private readonly batchSize: number;
  private readonly idleMs: number;
  private readonly maxIdleMs: number;
  private readonly retryMs: number;
  private session: { exec: SqlExecutor; release(destroy: boolean): Promise<void> } | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private readonly stalled = new Map<string, number>();
  private stats = { sequenced: 0, batches: 0, lagSeconds: 0 };

  constructor(
    private readonly db: AuditDatabase,
    private readonly options: AuditSequencerOptions = {},
  ) {
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
    this.idleMs = options.idleMs ?? 100;
    this.maxIdleMs = Math.max(this.idleMs, options.maxIdleMs ?? 500);
    this.retryMs = options.retryMs ?? 1000;
  }

  isLeader(): boolean {
    return this.session !== null;
  }

  metrics(): AuditSequencerMetrics {
    return {
      leader: this.isLeader(),
      ...this.stats,
      stalledChains: this.stalled.size,
    };
  }

  /**
   * One pass: takes leadership if free, then sequences up to `batchSize` waiting entries.
   * Returns how many it sequenced, or null when another instance leads.
   */
  async runOnce(): Promise<number | null> {
    const session = await this.lead();
    if (session === null) return null;
    try {
      return await this.pass(session.exec);
    } catch (err) {
      // The connection may be gone (and with it leadership): start afresh next time.
      await this.resign(true);
      throw err;
    }
  }

  /**
   * Runs passes until `stop()`: back to back while there is a backlog, `idleMs` apart after a
   * pass that moved something, and further apart (up to `maxIdleMs`) while passes find nothing.
   */
  start(): this {
    if (this.running) return this;
    this.running = true;
    this.loop = (async () => {
      let idle = this.idleMs;
      while (this.running) {
        let pause = this.idleMs;
        try {
          const n = await this.runOnce();
          if (n === null) pause = this.retryMs;
          else if (n >= this.batchSize) pause = 0;
          else if (n === 0) pause = idle = Math.min(this.maxIdleMs, idle * 2);
          if (n !== 0) idle = this.idleMs;
        } catch (err) {
          this.options.onError?.(err);
          pause = this.retryMs;
        }
        if (pause > 0 && this.running)
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, pause);
            this.wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        this.wake = null;
      }
    })();
    return this;
  }

  /** Stops the loop, sequences what is waiting if this instance leads, and gives up leadership. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    try {
      if (this.session !== null) while ((await this.runOnce()) === this.batchSize);
    } catch (err) {
      this.options.onError?.(err);
    }
    await this.resign(false);
  }

  private async pass(exec: SqlExecutor): Promise<number> {
    const stalled = [...this.stalled.keys()];
    const chains = await queryRows<{ chain_id: string }>(
      exec,
      `SELECT DISTINCT chain_id FROM (SELECT chain_id FROM audit_pending WHERE chain_id <> ALL($1::text[])
                                        ORDER BY id LIMIT $2) AS oldest`,
      [stalled, this.batchSize],
    );
    if (chains.length === 0) {
      this.stats.lagSeconds = 0;
      return 0;
    }
    await exec.query('BEGIN');
    let result;
    try {
      result = await sequenceLocked(
        exec,
        chains.map((c) => c.chain_id),
        [],
        this.batchSize,
      );
      await exec.query('COMMIT');
    } catch (err) {
      await exec.query('ROLLBACK').catch(() => undefined);
      throw new AuditSequencerError('Could not sequence the audit log', {
        ...(safeDbDetail(err).sqlState ? { sqlState: safeDbDetail(err).sqlState } : {}),
      });
    }
    for (const t of result.tampered) {
      if (this.stalled.has(t.chainId)) continue;
      this.stalled.set(t.chainId, t.pendingId);
      this.options.onError?.(
        new AuditSequencerError(
          `Unsequenced audit entry ${t.pendingId} on chain ${t.chainId} was changed; the chain is held back. Verify the log.`,
          t,
        ),
      );
    }
    if (result.sequenced > 0) {
      this.stats.sequenced += result.sequenced;
      this.stats.batches++;
    }
    this.stats.lagSeconds = result.maxWaitedSeconds;
    return result.sequenced;
  }

  private async lead(): Promise<AuditSequencer['session']> {
    if (this.session !== null) return this.session;
    const session = await this.connect();
    try {
      const [row] = await queryRows<{ ok: boolean }>(session.exec, `SELECT ${LEADER_LOCK} AS ok`);
      if (row?.ok !== true) {
        await session.release(false);
        return null;
      }
    } catch (err) {
      await session.release(true);
      throw err;
    }
    this.session = session;
    return session;
  }

  private async resign(broken: boolean): Promise<void> {
    const session = this.session;
    this.session = null;
    if (session === null) return;
    if (!broken) await session.exec.query(`SELECT ${LEADER_UNLOCK}`).catch(() => undefined);
    // A broken connection is destroyed, never pooled: it may still hold the lock server-side.
    await session.release(broken);
  }

  /** A connection of its own, since leadership is a property of the session. */
  private async connect(): Promise<{
    exec: SqlExecutor;
    release(destroy: boolean): Promise<void>;
  }> {
    if (isDataSource(this.db)) {
      const runner: QueryRunner = this.db.createQueryRunner();
      await runner.connect();
      return {
        exec: { query: (sql, params) => runner.query(sql, params) },
        release: async (destroy) => {
          if (destroy) {
            // TypeORM has no "destroy" for a runner: end the pg client itself so it is not reused.
            const client = (runner as unknown as { databaseConnection?: PoolClient })
              .databaseConnection;
            client?.release(true);
            return;
          }
          await runner.release();
        },
      };
    }
    const client = await this.db.connect();
    // An idle pooled client that loses its server emits 'error'; without a listener that crashes the process.
    const onError = (): void => undefined;
    client.on('error', onError);
    return {
      exec: client,
      release: async (destroy) => {
        client.off('error', onError);
        client.release(destroy);
      },
    };
  }
}

/**
 * Starts a sequencer loop on `db` and returns it (`await sequencer.stop()` at shutdown). Run one in
 * every instance that writes with `sequencing: 'deferred'`: only one leads at a time.
 */
export function startAuditSequencer(
  db: AuditDatabase,
  options: AuditSequencerOptions = {},
): AuditSequencer {
  return new AuditSequencer(db, options).start();
}
