import { AuditError, AuditWriteError, safeDbDetail } from './errors';
import {
  inTransaction,
  isDataSource,
  isPool,
  queryRows,
  readerOf,
  type AuditDatabase,
  type AuditTransaction,
  type SqlExecutor,
} from './executor';
import { entryHash, GENESIS_PREV_HASH } from './hash';
import {
  AuditEventInputSchema,
  chainIdFor,
  type AuditEntry,
  type AuditEntryBody,
  type AuditEventInput,
} from './types';

export interface AuditLogOptions {
  /** Clock for `occurredAt` when the event has none (tests). */
  readonly now?: () => Date;
  /**
   * How appends outside a caller's transaction serialise per chain (see the class comment).
   * Default `optimistic`; appends inside a caller's transaction always use `lock`.
   */
  readonly strategy?: 'optimistic' | 'lock';
  /**
   * Group concurrent appends of this instance into shared INSERTs (group commit): callers still
   * get their own entries back once committed, and an appendMany stays all-or-nothing. Default true.
   */
  readonly coalesce?: boolean;
  /**
   * With `coalesce`, how many statements may be in flight at once (chains are spread over them).
   * Default 1: commits are fsync-bound, so one bigger commit beat several small ones in the benchmark.
   */
  readonly lanes?: number;
}

export interface AppendOptions {
  /** Write in the caller's transaction (see `AuditTransaction`); otherwise the log opens its own. */
  readonly tx?: AuditTransaction;
}

type Prepared = Omit<AuditEntryBody, 'chainSeq' | 'prevHash'>;

/** Rows per INSERT statement in appendMany (16 array parameters each, so no parameter limit). */
const INSERT_BATCH = 5000;

/**
 * Appends hash-chained entries to `audit_event`. One chain per partnership plus `system`.
 * Never a fork: the unique (chain_id, chain_seq) constraint is the backstop for both strategies.
 *
 * `lock` (always used inside a caller's transaction): take `pg_advisory_xact_lock(hashtext(chain_id))`
 * for every chain written (sorted, so multi-chain batches cannot deadlock), read the heads, insert.
 * With `tx` the lock is held until the CALLER commits, so keep such transactions short.
 *
 * `optimistic` (default on the log's own connections): one autocommitted INSERT built on the
 * chain heads this instance last saw, guarded so it inserts nothing unless each assumed head still
 * exists with that hash; the statement is all-or-nothing, so a stale head ends in zero rows or a
 * unique violation, never a gap or a fork. Then the heads are re-read and it retries, falling back
 * to `lock` after a few attempts. One round trip instead of five when a process owns its chains.
 *
 * Fail closed: every failure (invalid event, database down, constraint) is an `AuditWriteError`.
 */
export class AuditLog {
  private readonly now: () => Date;
  private readonly optimistic: boolean;
  /** Heads this instance wrote or read, committed: the optimistic strategy's starting guess. */
  private readonly heads = new Map<string, Head>();
  private readonly coalesce: boolean;
  private readonly lanes: number;
  /** Per lane: appends waiting for the statement in flight to finish. */
  private readonly queues = new Map<number, Pending[]>();

  constructor(
    private readonly db: AuditDatabase | SqlExecutor,
    options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.optimistic =
      (options.strategy ?? 'optimistic') === 'optimistic' && (isPool(db) || isDataSource(db));
    this.coalesce = options.coalesce ?? true;
    this.lanes = Math.max(1, Math.trunc(options.lanes ?? 1));
  }

  async append(event: AuditEventInput, options: AppendOptions = {}): Promise<AuditEntry> {
    const [entry] = await this.appendMany([event], options);
    return entry;
  }

  /**
   * Appends atomically (all or none), in the given order per chain; returns the entries in input
   * order once they are committed (or, with `tx`, written in the caller's transaction).
   */
  async appendMany(
    events: readonly AuditEventInput[],
    options: AppendOptions = {},
  ): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    let prepared: Prepared[];
    try {
      prepared = events.map((e, i) => this.prepare(e, i));
    } catch (err) {
      // e.g. details holding a BigInt or a cycle.
      throw err instanceof AuditError
        ? err
        : new AuditWriteError('Invalid audit event: details must be JSON', {
            reason: 'invalid-event',
          });
    }
    if (options.tx === undefined && this.coalesce && prepared.length <= INSERT_BATCH) {
      const lane = laneOf(prepared[0].chainId, this.lanes);
      return new Promise<AuditEntry[]>((resolve, reject) =>
        this.enqueue(lane, { items: prepared, resolve, reject }),
      );
    }
    try {
      if (options.tx !== undefined)
        return await inTransaction(this.db, options.tx, (exec) => this.writeLocked(exec, prepared));
      return await this.writeOwn(prepared);
    } catch (err) {
      throw toWriteError(err);
    }
  }

  private enqueue(lane: number, pending: Pending): void {
    const queue = this.queues.get(lane);
    if (queue !== undefined) {
      queue.push(pending);
      return;
    }
    this.queues.set(lane, [pending]);
    void this.flush(lane);
  }

  /** Writes a lane's queued appends, a batch per statement, until the queue is empty. */
  private async flush(lane: number): Promise<void> {
    const queue = this.queues.get(lane) as Pending[];
    while (queue.length > 0) {
      const units: Pending[] = [];
      let size = 0;
      while (
        queue.length > 0 &&
        (units.length === 0 || size + queue[0].items.length <= INSERT_BATCH)
      ) {
        const unit = queue.shift() as Pending;
        units.push(unit);
        size += unit.items.length;
      }
      try {
        const written = await this.writeOwn(units.flatMap((u) => u.items));
        let at = 0;
        for (const u of units) {
          u.resolve(written.slice(at, at + u.items.length));
          at += u.items.length;
        }
      } catch (err) {
        if (units.length === 1) {
          units[0].reject(toWriteError(err));
          continue;
        }
        // Do not fail every caller for one bad batch member: retry each on its own.
        for (const u of units) {
          await this.writeOwn(u.items).then(u.resolve, (e: unknown) => u.reject(toWriteError(e)));
        }
      }
    }
    this.queues.delete(lane);
  }

  /** On the log's own connections: optimistic first (if enabled), else a locked transaction. */
  private async writeOwn(prepared: readonly Prepared[]): Promise<AuditEntry[]> {
    if (this.optimistic) {
      const written = await this.writeOptimistic(prepared);
      if (written !== null) return written;
    }
    const written = await inTransaction(this.db, undefined, (exec) =>
      this.writeLocked(exec, prepared),
    );
    this.remember(written);
    return written;
  }

  private prepare(event: AuditEventInput, index: number): Prepared {
    const parsed = AuditEventInputSchema.safeParse(event);
    if (!parsed.success) {
      // Field paths only: the offending values may be personal data.
      const fields = [
        ...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(event)')),
      ].join(', ');
      throw new AuditWriteError(`Invalid audit event #${index}: check ${fields}`, {
        reason: 'invalid-event',
      });
    }
    const e = parsed.data;
    const occurredAt = e.occurredAt === undefined ? this.now() : new Date(e.occurredAt);
    return {
      chainId: chainIdFor(e.partnership),
      occurredAt: occurredAt.toISOString(),
      partnership: e.partnership ?? null,
      actorType: e.actorType,
      actorId: e.actorId,
      actorRole: e.actorRole ?? null,
      action: e.action,
      outcome: e.outcome,
      caseId: e.caseId ?? null,
      queryId: e.queryId ?? null,
      agency: e.agency ?? null,
      subjectPseudonyms: [...new Set(e.subjectPseudonyms ?? [])].sort(),
      correlationId: e.correlationId ?? null,
      // Round-trip through JSON so what is hashed is exactly what jsonb will hand back.
      details: JSON.parse(JSON.stringify(e.details ?? {})) as Record<string, unknown>,
    };
  }

  private async writeLocked(
    exec: SqlExecutor,
    prepared: readonly Prepared[],
  ): Promise<AuditEntry[]> {
    const chainIds = [...new Set(prepared.map((p) => p.chainId))].sort();
    await queryRows(
      exec,
      `SELECT pg_advisory_xact_lock(hashtext(c)) FROM (SELECT c FROM unnest($1::text[]) AS c ORDER BY c) AS s`,
      [chainIds],
    );
    const head = await readHeads(exec, chainIds);
    const bodies = chainUp(prepared, head);
    const out: AuditEntry[] = [];
    for (let i = 0; i < bodies.length; i += INSERT_BATCH) {
      const batch = bodies.slice(i, i + INSERT_BATCH);
      out.push(
        ...withSeqs(batch, await queryRows<Inserted>(exec, INSERT_SQL, insertParams(batch))),
      );
    }
    return out;
  }

  /** Null when it gave up (contention) and the locked path should take over. */
  private async writeOptimistic(prepared: readonly Prepared[]): Promise<AuditEntry[] | null> {
    if (prepared.length > INSERT_BATCH) return null;
    const reader = readerOf(this.db);
    const chainIds = [...new Set(prepared.map((p) => p.chainId))].sort();
    for (let attempt = 0; attempt < OPTIMISTIC_ATTEMPTS; attempt++) {
      let head = new Map(chainIds.map((c) => [c, this.heads.get(c)] as const));
      if (attempt > 0 || [...head.values()].some((h) => h === undefined))
        head = await readHeads(reader, chainIds);
      const assumed = new Map(head as Map<string, Head>);
      const bodies = chainUp(prepared, assumed);
      const guards = [...(head as Map<string, Head>).entries()].filter(([, h]) => h.seq > 0);
      let rows: Inserted[];
      try {
        rows = await queryRows<Inserted>(reader, GUARDED_INSERT_SQL, [
          ...insertParams(bodies),
          guards.length,
          guards.map(([c]) => c),
          guards.map(([, h]) => String(h.seq)),
          guards.map(([, h]) => h.hash),
          chainIds,
        ]);
      } catch (err) {
        if (safeDbDetail(err).constraint === 'audit_event_chain_position') continue; // lost a race
        throw err;
      }
      if (rows.length === 0) continue; // an assumed head no longer exists as assumed
      const out = withSeqs(bodies, rows);
      this.remember(out);
      return out;
    }
    return null;
  }

  private remember(entries: readonly AuditEntry[]): void {
    for (const e of entries) {
      const known = this.heads.get(e.chainId);
      if (known === undefined || known.seq < e.chainSeq)
        this.heads.set(e.chainId, { seq: e.chainSeq, hash: e.hash });
    }
    if (this.heads.size > 10_000) this.heads.clear();
  }
}

interface Pending {
  readonly items: readonly Prepared[];
  resolve(entries: AuditEntry[]): void;
  reject(err: unknown): void;
}

function toWriteError(err: unknown): AuditError {
  if (err instanceof AuditError) return err;
  return new AuditWriteError('The audit entry could not be written', safeDbDetail(err));
}

interface Head {
  readonly seq: number;
  readonly hash: string;
}

type Inserted = { seq: string; chain_id: string; chain_seq: string };

/** After one lost race the locked path is cheaper than retrying against the winner. */
const OPTIMISTIC_ATTEMPTS = 1;

/** A chain always maps to the same lane, so its queued appends keep their order. */
function laneOf(chainId: string, lanes: number): number {
  let h = 0;
  for (let i = 0; i < chainId.length; i++) h = (h * 31 + chainId.charCodeAt(i)) | 0;
  return Math.abs(h) % lanes;
}

async function readHeads(
  exec: SqlExecutor,
  chainIds: readonly string[],
): Promise<Map<string, Head>> {
  const rows = await queryRows<{ chain_id: string; chain_seq: string | null; hash: string | null }>(
    exec,
    `SELECT c.chain_id, h.chain_seq::text AS chain_seq, h.hash
       FROM unnest($1::text[]) AS c(chain_id)
       LEFT JOIN LATERAL (
         SELECT chain_seq, hash FROM audit_event e WHERE e.chain_id = c.chain_id ORDER BY e.chain_seq DESC LIMIT 1
       ) h ON true`,
    [chainIds],
  );
  return new Map(
    rows.map((h) => [
      h.chain_id,
      { seq: h.chain_seq === null ? 0 : Number(h.chain_seq), hash: h.hash ?? GENESIS_PREV_HASH },
    ]),
  );
}

/** Positions and hashes for `prepared`, continuing from `head` (which it advances). */
function chainUp(
  prepared: readonly Prepared[],
  head: Map<string, Head>,
): Array<AuditEntryBody & { hash: string }> {
  return prepared.map((p) => {
    const h = head.get(p.chainId) ?? { seq: 0, hash: GENESIS_PREV_HASH };
    const body: AuditEntryBody = { ...p, chainSeq: h.seq + 1, prevHash: h.hash };
    const hash = entryHash(body);
    head.set(p.chainId, { seq: body.chainSeq, hash });
    return { ...body, hash };
  });
}

function withSeqs(
  bodies: ReadonlyArray<AuditEntryBody & { hash: string }>,
  rows: readonly Inserted[],
): AuditEntry[] {
  const seqByPosition = new Map(
    rows.map((r) => [`${r.chain_id}\u0000${r.chain_seq}`, Number(r.seq)]),
  );
  return bodies.map((b) => {
    const seq = seqByPosition.get(`${b.chainId}\u0000${b.chainSeq}`);
    if (seq === undefined)
      throw new AuditWriteError('The audit entry could not be written', { reason: 'not-returned' });
    return { ...b, seq };
  });
}

/** Multi-row insert from parallel arrays; ORDER BY ordinality keeps seq increasing along each chain. */
export const INSERT_SQL = `
  INSERT INTO audit_event (chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, actor_role, action,
                           outcome, case_id, query_id, agency, subject_pseudonyms, correlation_id, details, prev_hash, hash)
  SELECT chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, actor_role, action,
         outcome, case_id, query_id, agency, subject_pseudonyms::text[], correlation_id, details, prev_hash, hash
    FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::text[], $17::text[])
         WITH ORDINALITY AS r(chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, actor_role, action,
                              outcome, case_id, query_id, agency, subject_pseudonyms, correlation_id, details, prev_hash, hash, ord)
   ORDER BY ord
  RETURNING seq::text AS seq, chain_id, chain_seq::text AS chain_seq`;

/**
 * INSERT_SQL that inserts nothing unless every assumed head ($19 chains, $20 positions, $21
 * hashes; $18 of them) is in the table. Positions past a head are then free or taken; if taken, the
 * unique constraint rejects the whole statement. It also takes the chains' advisory locks ($22)
 * before inserting, so a `lock`-strategy writer (which reads the head under the lock) never
 * collides with it.
 */
const GUARDED_INSERT_SQL = INSERT_SQL.replace(
  '   ORDER BY ord',
  `   WHERE (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext(c))
                                   FROM (SELECT c FROM unnest($22::text[]) AS c ORDER BY c) AS o) AS l) = cardinality($22::text[])
     AND (SELECT count(*) FROM audit_event e
           JOIN unnest($19::text[], $20::bigint[], $21::text[]) AS h(chain_id, chain_seq, hash)
             ON e.chain_id = h.chain_id AND e.chain_seq = h.chain_seq AND e.hash = h.hash) = $18::int
   ORDER BY ord`,
);

/** Column arrays for INSERT_SQL. Exported for the benchmark's bulk loader. */
export function insertParams(batch: ReadonlyArray<AuditEntryBody & { hash: string }>): unknown[] {
  const cols: unknown[][] = Array.from({ length: 17 }, () => []);
  for (const b of batch) {
    const values: unknown[] = [
      b.chainId,
      String(b.chainSeq),
      b.occurredAt,
      b.partnership,
      b.actorType,
      b.actorId,
      b.actorRole,
      b.action,
      b.outcome,
      b.caseId,
      b.queryId,
      b.agency,
      // Tokens are hex, so a plain array literal needs no quoting.
      `{${b.subjectPseudonyms.join(',')}}`,
      b.correlationId,
      JSON.stringify(b.details),
      b.prevHash,
      b.hash,
    ];
    values.forEach((v, i) => cols[i].push(v));
  }
  return cols;
}
