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
import { entryHash, GENESIS_PREV_HASH, unsequencedHash } from './hash';
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
  /**
   * What `record` does inside a caller's transaction. `inline` (default): chain the entry at once,
   * holding the chain's advisory lock until the caller commits. `deferred`: insert it unsequenced
   * into `audit_pending` (no lock; it still commits or rolls back with the caller) and leave the
   * position and hash to `AuditSequencer`, which must then be running somewhere (see
   * `startAuditSequencer`). Appends on the log's own connections are chained at once either way.
   */
  readonly sequencing?: 'inline' | 'deferred';
}

export interface AppendOptions {
  /** Write in the caller's transaction (see `AuditTransaction`); otherwise the log opens its own. */
  readonly tx?: AuditTransaction;
}

export type Prepared = Omit<AuditEntryBody, 'chainSeq' | 'prevHash'>;

/** An entry written unsequenced (`audit_pending`); its chain position comes later. */
export interface UnsequencedEntry extends Prepared {
  readonly pendingId: number;
  readonly contentHash: string;
}

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
  private readonly deferred: boolean;

  constructor(
    private readonly db: AuditDatabase | SqlExecutor,
    options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.optimistic =
      (options.strategy ?? 'optimistic') === 'optimistic' && (isPool(db) || isDataSource(db));
    this.coalesce = options.coalesce ?? true;
    this.lanes = Math.max(1, Math.trunc(options.lanes ?? 1));
    this.deferred = options.sequencing === 'deferred';
  }

  /**
   * Writes the events fail closed, the way the log is configured: with `sequencing: 'deferred'`
   * they are queued unsequenced, in the caller's transaction with `tx` (no chain lock held until
   * the caller commits) or else in one statement of their own, and the sequencer chains them;
   * otherwise they are chained at once like `appendMany`. Entries written outside a transaction
   * (views, refused sign-ins) used to be chained at once even when deferred: each took the chain's
   * lock and held it across its commit, and the sequencer waited behind them.
   */
  async record(events: readonly AuditEventInput[], options: AppendOptions = {}): Promise<void> {
    if (this.deferred) await this.enqueue(events, options.tx);
    else await this.appendMany(events, options);
  }

  /**
   * Inserts the events into `audit_pending`, in the caller's transaction or (without `tx`) in one
   * autocommitted statement: no lock either way. Each row carries its content hash, so an edit
   * before it is sequenced is caught.
   */
  async enqueue(
    events: readonly AuditEventInput[],
    tx?: AuditTransaction,
  ): Promise<UnsequencedEntry[]> {
    if (events.length === 0) return [];
    const prepared = this.prepareAll(events);
    try {
      const hashes = prepared.map((p) => unsequencedHash(p));
      const cols = insertParams(
        prepared.map((p, i) => ({ ...p, chainSeq: 0, prevHash: '', hash: hashes[i] })),
      );
      const insert = (exec: SqlExecutor) =>
        queryRows<{ id: string }>(exec, PENDING_INSERT_SQL, [
          cols[0],
          ...cols.slice(2, 15),
          cols[16],
        ]);
      // One statement is atomic on its own: no transaction of its own needed.
      const rows = await (tx === undefined ? insert(this.db) : inTransaction(this.db, tx, insert));
      if (rows.length !== prepared.length)
        throw new AuditWriteError('The audit entry could not be written', {
          reason: 'not-returned',
        });
      return prepared.map((p, i) => ({
        ...p,
        pendingId: Number(rows[i].id),
        contentHash: hashes[i],
      }));
    } catch (err) {
      throw toWriteError(err);
    }
  }

  private prepareAll(events: readonly AuditEventInput[]): Prepared[] {
    try {
      return events.map((e, i) => this.prepare(e, i));
    } catch (err) {
      // e.g. details holding a BigInt or a cycle.
      throw err instanceof AuditError
        ? err
        : new AuditWriteError('Invalid audit event: details must be JSON', {
            reason: 'invalid-event',
          });
    }
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
    const prepared = this.prepareAll(events);
    if (options.tx === undefined && this.coalesce && prepared.length <= INSERT_BATCH) {
      const lane = laneOf(prepared[0].chainId, this.lanes);
      return new Promise<AuditEntry[]>((resolve, reject) =>
        this.queueOn(lane, { items: prepared, resolve, reject }),
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

  private queueOn(lane: number, pending: Pending): void {
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
    return entryFields(e, e.occurredAt === undefined ? this.now() : new Date(e.occurredAt));
  }

  /**
   * Under the chains' locks: first sequences whatever is waiting unsequenced on them (so positions
   * keep commit order between the two paths), then chains `prepared`.
   */
  private async writeLocked(
    exec: SqlExecutor,
    prepared: readonly Prepared[],
  ): Promise<AuditEntry[]> {
    const chainIds = [...new Set(prepared.map((p) => p.chainId))].sort();
    const pass = await sequenceLocked(exec, chainIds, prepared);
    if (pass.tampered.length > 0)
      throw new AuditWriteError('An unsequenced audit entry was changed; verify the log', {
        reason: 'pending-tampered',
      });
    return pass.appended;
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
                           outcome, case_id, query_id, agency, subject_pseudonyms, correlation_id, details, prev_hash, hash,
                           pending_id)
  SELECT chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, actor_role, action,
         outcome, case_id, query_id, agency, subject_pseudonyms::text[], correlation_id, details, prev_hash, hash,
         pending_id
    FROM unnest($1::text[], $2::bigint[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::text[], $17::text[],
                $18::bigint[])
         WITH ORDINALITY AS r(chain_id, chain_seq, occurred_at, partnership, actor_type, actor_id, actor_role, action,
                              outcome, case_id, query_id, agency, subject_pseudonyms, correlation_id, details, prev_hash, hash,
                              pending_id, ord)
   ORDER BY ord
  RETURNING seq::text AS seq, chain_id, chain_seq::text AS chain_seq`;

/**
 * INSERT_SQL that inserts nothing unless every assumed head ($20 chains, $21 positions, $22
 * hashes; $19 of them) is in the table. Positions past a head are then free or taken; if taken, the
 * unique constraint rejects the whole statement. It also takes the chains' advisory locks ($23)
 * before inserting, so a `lock`-strategy writer (which reads the head under the lock) never
 * collides with it; and it inserts nothing while an entry waits unsequenced on one of the chains
 * (the locked path then sequences those first, keeping commit order).
 */
const GUARDED_INSERT_SQL = INSERT_SQL.replace(
  '   ORDER BY ord',
  `   WHERE (SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext(c))
                                   FROM (SELECT c FROM unnest($23::text[]) AS c ORDER BY c) AS o) AS l) = cardinality($23::text[])
     AND (SELECT count(*) FROM audit_event e
           JOIN unnest($20::text[], $21::bigint[], $22::text[]) AS h(chain_id, chain_seq, hash)
             ON e.chain_id = h.chain_id AND e.chain_seq = h.chain_seq AND e.hash = h.hash) = $19::int
     AND NOT EXISTS (SELECT 1 FROM audit_pending p WHERE p.chain_id = ANY($23::text[]))
   ORDER BY ord`,
);

/** Column arrays for INSERT_SQL. Exported for the benchmark's bulk loader. */
export function insertParams(
  batch: ReadonlyArray<AuditEntryBody & { hash: string; pendingId?: number }>,
): unknown[] {
  const cols: unknown[][] = Array.from({ length: 18 }, () => []);
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
      b.pendingId === undefined ? null : String(b.pendingId),
    ];
    values.forEach((v, i) => cols[i].push(v));
  }
  return cols;
}

/**
 * An event's fields as its entry holds them, before it has a chain position: what `AuditLog`
 * writes once the event is validated (and what the audit bench builds its bulk-loaded rows from).
 */
export function entryFields(e: AuditEventInput, occurredAt: Date): Prepared {
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

/** Unsequenced entries, in input order (ORDER BY ordinality: ids, hence positions, follow it). */
const PENDING_INSERT_SQL = `
  INSERT INTO audit_pending (chain_id, occurred_at, partnership, actor_type, actor_id, actor_role, action, outcome,
                             case_id, query_id, agency, subject_pseudonyms, correlation_id, details, content_hash)
  SELECT chain_id, occurred_at, partnership, actor_type, actor_id, actor_role, action, outcome,
         case_id, query_id, agency, subject_pseudonyms::text[], correlation_id, details, content_hash
    FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::jsonb[], $15::text[])
         WITH ORDINALITY AS r(chain_id, occurred_at, partnership, actor_type, actor_id, actor_role, action, outcome,
                              case_id, query_id, agency, subject_pseudonyms, correlation_id, details, content_hash, ord)
   ORDER BY ord
  RETURNING id::text AS id`;

interface PendingRow {
  id: string;
  waited: string;
  chain_id: string;
  occurred_at: string;
  partnership: string | null;
  actor_type: AuditEntryBody['actorType'];
  actor_id: string;
  actor_role: string | null;
  action: string;
  outcome: AuditEntryBody['outcome'];
  case_id: string | null;
  query_id: string | null;
  agency: string | null;
  subject_pseudonyms: string[];
  correlation_id: string | null;
  details: Record<string, unknown>;
  content_hash: string;
}

/**
 * `audit_pending` columns read back exactly as they were hashed (cf. `entryColumns`). `id` comes
 * back as text, so order by `audit_pending.id`, never by the output name (text order puts 10 before 9).
 */
export const PENDING_COLUMNS = `id::text AS id, extract(epoch FROM now() - enqueued_at)::text AS waited, chain_id,
  to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, partnership, actor_type,
  actor_id, actor_role, action, outcome, case_id, query_id, agency, subject_pseudonyms, correlation_id, details, content_hash`;

export function pendingFromRow(r: PendingRow): UnsequencedEntry & { waitedSeconds: number } {
  return {
    pendingId: Number(r.id),
    waitedSeconds: Number(r.waited),
    chainId: r.chain_id,
    occurredAt: r.occurred_at,
    partnership: r.partnership,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    action: r.action,
    outcome: r.outcome,
    caseId: r.case_id,
    queryId: r.query_id,
    agency: r.agency,
    subjectPseudonyms: r.subject_pseudonyms,
    correlationId: r.correlation_id,
    details: r.details,
    contentHash: r.content_hash,
  };
}

export async function readPending(
  exec: SqlExecutor,
  where: string,
  params: unknown[],
): Promise<Array<UnsequencedEntry & { waitedSeconds: number }>> {
  const rows = await queryRows<PendingRow>(
    exec,
    `SELECT ${PENDING_COLUMNS} FROM audit_pending WHERE ${where}`,
    params,
  );
  return rows.map(pendingFromRow);
}

export interface SequencePass {
  /** Unsequenced entries given a position. */
  readonly sequenced: number;
  /** The longest any of them waited, in seconds (database clock). */
  readonly maxWaitedSeconds: number;
  /** `extra`, chained after them. */
  readonly appended: AuditEntry[];
  /** Chains left alone because an unsequenced entry on them no longer matches its content hash. */
  readonly tampered: ReadonlyArray<{ chainId: string; pendingId: number }>;
}

/**
 * The one place positions are assigned, in a transaction on `exec`: takes the chains' advisory locks
 * (sorted, so no deadlock), moves up to `limit` unsequenced entries of those chains onto them in id
 * order, then chains `extra`. Moving = insert into `audit_event` with `pending_id`, then delete from
 * `audit_pending` (its trigger allows only that), so a crash anywhere rolls back to "still
 * unsequenced" and `UNIQUE (pending_id)` makes a second assignment impossible.
 */
export async function sequenceLocked(
  exec: SqlExecutor,
  chainIds: readonly string[],
  extra: readonly Prepared[] = [],
  limit: number | null = null,
): Promise<SequencePass> {
  const sorted = [...new Set(chainIds)].sort();
  await queryRows(
    exec,
    `SELECT pg_advisory_xact_lock(hashtext(c)) FROM (SELECT c FROM unnest($1::text[]) AS c ORDER BY c) AS s`,
    [sorted],
  );
  // Read after the locks, in a fresh statement snapshot: everything committed so far.
  const pending = await readPending(
    exec,
    `chain_id = ANY($1::text[]) ORDER BY audit_pending.id${limit === null ? '' : ' LIMIT $2'}`,
    limit === null ? [sorted] : [sorted, limit],
  );
  const tampered = new Map<string, number>();
  for (const p of pending)
    if (!tampered.has(p.chainId) && unsequencedHash(p) !== p.contentHash)
      tampered.set(p.chainId, p.pendingId);
  const usable = pending.filter((p) => !tampered.has(p.chainId));
  if (extra.some((e) => tampered.has(e.chainId)) || (usable.length === 0 && extra.length === 0))
    return {
      sequenced: 0,
      maxWaitedSeconds: 0,
      appended: [],
      tampered: [...tampered].map(([chainId, pendingId]) => ({ chainId, pendingId })),
    };
  const head = await readHeads(exec, sorted);
  const bodies = [
    ...chainUp(usable, head).map((b, i) => ({ ...b, pendingId: usable[i].pendingId })),
    ...chainUp(extra, head),
  ];
  const out: AuditEntry[] = [];
  for (let i = 0; i < bodies.length; i += INSERT_BATCH) {
    const batch = bodies.slice(i, i + INSERT_BATCH);
    out.push(...withSeqs(batch, await queryRows<Inserted>(exec, INSERT_SQL, insertParams(batch))));
  }
  if (usable.length > 0)
    await queryRows(exec, `DELETE FROM audit_pending WHERE id = ANY($1::bigint[])`, [
      usable.map((p) => String(p.pendingId)),
    ]);
  return {
    sequenced: usable.length,
    maxWaitedSeconds: usable.reduce((m, p) => Math.max(m, p.waitedSeconds), 0),
    appended: out.slice(usable.length),
    tampered: [...tampered].map(([chainId, pendingId]) => ({ chainId, pendingId })),
  };
}

/** Sequences what waits on one chain, in a transaction of its own (a reader catching up). */
export async function sequenceWaiting(
  db: AuditDatabase | SqlExecutor,
  chainId: string,
): Promise<void> {
  await inTransaction(db, undefined, (exec) => sequenceLocked(exec, [chainId]));
}
