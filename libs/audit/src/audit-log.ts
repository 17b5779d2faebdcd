import { AuditError, AuditWriteError, safeDbDetail } from './errors';
import { inTransaction, queryRows, type AuditDatabase, type AuditTransaction, type SqlExecutor } from './executor';
import { entryHash, GENESIS_PREV_HASH } from './hash';
import { AuditEventInputSchema, chainIdFor, type AuditEntry, type AuditEntryBody, type AuditEventInput } from './types';

export interface AuditLogOptions {
  /** Clock for `occurredAt` when the event has none (tests). */
  readonly now?: () => Date;
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
 *
 * Concurrency: each append takes `pg_advisory_xact_lock(hashtext(chain_id))` for every chain it
 * writes (in sorted order, so two multi-chain batches cannot deadlock), then reads the chain head
 * and inserts. The lock is held until the transaction ends — with `tx`, until the CALLER commits, so
 * keep such transactions short. The unique (chain_id, chain_seq) constraint is the backstop: a writer
 * that somehow skipped the lock gets `AuditWriteError`, never a fork.
 *
 * Fail closed: every failure (invalid event, database down, constraint) is an `AuditWriteError`.
 */
export class AuditLog {
  private readonly now: () => Date;

  constructor(
    private readonly db: AuditDatabase | SqlExecutor,
    options: AuditLogOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  async append(event: AuditEventInput, options: AppendOptions = {}): Promise<AuditEntry> {
    const [entry] = await this.appendMany([event], options);
    return entry;
  }

  /** Appends in one transaction, in the given order per chain; returns the entries in input order. */
  async appendMany(events: readonly AuditEventInput[], options: AppendOptions = {}): Promise<AuditEntry[]> {
    if (events.length === 0) return [];
    const prepared = events.map((e, i) => this.prepare(e, i));
    try {
      return await inTransaction(this.db, options.tx, (exec) => this.write(exec, prepared));
    } catch (err) {
      if (err instanceof AuditError) throw err;
      throw new AuditWriteError('The audit entry could not be written', safeDbDetail(err));
    }
  }

  private prepare(event: AuditEventInput, index: number): Prepared {
    const parsed = AuditEventInputSchema.safeParse(event);
    if (!parsed.success) {
      // Field paths only: the offending values may be personal data.
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(event)'))].join(', ');
      throw new AuditWriteError(`Invalid audit event #${index}: check ${fields}`, { reason: 'invalid-event' });
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

  private async write(exec: SqlExecutor, prepared: readonly Prepared[]): Promise<AuditEntry[]> {
    const chainIds = [...new Set(prepared.map((p) => p.chainId))].sort();
    await queryRows(
      exec,
      `SELECT pg_advisory_xact_lock(hashtext(c)) FROM (SELECT c FROM unnest($1::text[]) AS c ORDER BY c) AS s`,
      [chainIds],
    );
    const heads = await queryRows<{ chain_id: string; chain_seq: string | null; hash: string | null }>(
      exec,
      `SELECT c.chain_id, h.chain_seq::text AS chain_seq, h.hash
         FROM unnest($1::text[]) AS c(chain_id)
         LEFT JOIN LATERAL (
           SELECT chain_seq, hash FROM audit_event e WHERE e.chain_id = c.chain_id ORDER BY chain_seq DESC LIMIT 1
         ) h ON true`,
      [chainIds],
    );
    const head = new Map(heads.map((h) => [h.chain_id, { seq: h.chain_seq === null ? 0 : Number(h.chain_seq), hash: h.hash ?? GENESIS_PREV_HASH }]));

    const bodies: Array<AuditEntryBody & { hash: string }> = prepared.map((p) => {
      const h = head.get(p.chainId) ?? { seq: 0, hash: GENESIS_PREV_HASH };
      const body: AuditEntryBody = { ...p, chainSeq: h.seq + 1, prevHash: h.hash };
      const hash = entryHash(body);
      head.set(p.chainId, { seq: body.chainSeq, hash });
      return { ...body, hash };
    });

    const out: AuditEntry[] = [];
    for (let i = 0; i < bodies.length; i += INSERT_BATCH) {
      const batch = bodies.slice(i, i + INSERT_BATCH);
      const rows = await queryRows<{ seq: string; chain_id: string; chain_seq: string }>(exec, INSERT_SQL, insertParams(batch));
      const seqByPosition = new Map(rows.map((r) => [`${r.chain_id}\u0000${r.chain_seq}`, Number(r.seq)]));
      for (const b of batch) {
        const seq = seqByPosition.get(`${b.chainId}\u0000${b.chainSeq}`);
        if (seq === undefined) throw new AuditWriteError('The audit entry could not be written', { reason: 'not-returned' });
        out.push({ ...b, seq });
      }
    }
    return out;
  }
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
