import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import type { DataSource, EntityManager } from 'typeorm';

type Executor = Pick<EntityManager, 'query'>;

export interface CaseRef {
  partnership: string;
  id: string;
}

/**
 * What the audit service looks up about the accesses it records (case status at the time, the
 * case behind a query) and the chain positions an auditor's time range covers. Raw SQL over the
 * broker's tables; every lookup is scoped to the event's own partnership.
 *
 * Every access is audited (several agency events per query), so these lookups ran three times per
 * entry. The case behind a query and a case's opening pseudonyms never change once written, so
 * they are cached per instance (found values only: a miss is asked again); a case's status can
 * change at any time and is always read in the caller's transaction.
 */
@Injectable()
export class AuditContextRepository {
  private readonly caseOfQuery = new LRUCache<string, string>({ max: 50_000 });
  private readonly pseudonymsOfCase = new LRUCache<string, string[]>({ max: 20_000 });

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** `partnership|caseId` → status, for the cases that exist in that partnership. */
  async caseStatuses(refs: readonly CaseRef[], tx?: Executor): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    if (refs.length === 0) return out;
    const rows = (await (tx ?? this.dataSource).query(
      `SELECT c.partnership, c.id::text AS id, c.status
         FROM mash_case c
         JOIN unnest($1::text[], $2::text[]) AS r(partnership, id) ON c.partnership = r.partnership AND c.id::text = r.id`,
      [refs.map((r) => r.partnership), refs.map((r) => r.id)],
    )) as Array<{ partnership: string; id: string; status: string }>;
    for (const r of rows) out.set(key(r), r.status);
    return out;
  }

  /** `partnership|queryId` → case id, for the queries that exist in that partnership. */
  async queryCases(refs: readonly CaseRef[], tx?: Executor): Promise<Map<string, string>> {
    return this.cached(this.caseOfQuery, refs, async (missing) => {
      const rows = (await (tx ?? this.dataSource).query(
        `SELECT q.partnership, q.id::text AS id, q.case_id::text AS case_id
           FROM federated_query q
           JOIN unnest($1::text[], $2::text[]) AS r(partnership, id) ON q.partnership = r.partnership AND q.id::text = r.id`,
        [missing.map((r) => r.partnership), missing.map((r) => r.id)],
      )) as Array<{ partnership: string; id: string; case_id: string }>;
      return rows.map((r) => [key(r), r.case_id]);
    });
  }

  /** Remembers the case behind a query just committed, so its first agency event need not ask. */
  rememberQueryCase(partnership: string, queryId: string, caseId: string): void {
    this.caseOfQuery.set(key({ partnership, id: queryId }), caseId);
  }

  /**
   * `partnership|caseId` → the subject's pseudonym tokens, as recorded when the case was opened
   * (or signposted). From the log itself, so it survives the case's personal data being purged.
   */
  async casePseudonyms(refs: readonly CaseRef[], tx?: Executor): Promise<Map<string, string[]>> {
    return this.cached(this.pseudonymsOfCase, refs, async (missing) => {
      // The opening entry may still wait for its chain position (audit_pending, ordered after the chain).
      const rows = (await (tx ?? this.dataSource).query(
        `SELECT DISTINCT ON (e.partnership, e.case_id) e.partnership, e.case_id AS id, e.subject_pseudonyms
           FROM (SELECT partnership, case_id, action, subject_pseudonyms, 0 AS queued, seq FROM audit_event
                 UNION ALL
                 SELECT partnership, case_id, action, subject_pseudonyms, 1, id FROM audit_pending) e
           JOIN unnest($1::text[], $2::text[]) AS r(partnership, id) ON e.partnership = r.partnership AND e.case_id = r.id
          WHERE e.action IN ('case.opened', 'case.signposted') AND cardinality(e.subject_pseudonyms) > 0
          ORDER BY e.partnership, e.case_id, e.queued, e.seq`,
        [missing.map((r) => r.partnership), missing.map((r) => r.id)],
      )) as Array<{ partnership: string; id: string; subject_pseudonyms: string[] }>;
      return rows.map((r) => [key(r), r.subject_pseudonyms]);
    });
  }

  /** Values for `refs` from `cache`, loading the missing ones with `load` (which caches them). */
  private async cached<V extends NonNullable<unknown>>(
    cache: LRUCache<string, V>,
    refs: readonly CaseRef[],
    load: (missing: CaseRef[]) => Promise<Array<[string, V]>>,
  ): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const missing: CaseRef[] = [];
    for (const ref of refs) {
      const hit = cache.get(key(ref));
      if (hit === undefined) missing.push(ref);
      else out.set(key(ref), hit);
    }
    if (missing.length === 0) return out;
    for (const [k, v] of await load(missing)) {
      cache.set(k, v);
      out.set(k, v);
    }
    return out;
  }

  /**
   * The first and last chain positions of `chainId` whose entries fall in [from, to). Null when the
   * range holds no entry. Uses the (partnership, occurred_at) index: one chain is one partnership.
   */
  async positionsBetween(
    chainId: string,
    from: Date | undefined,
    to: Date | undefined,
  ): Promise<{ first: number; last: number } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT min(chain_seq)::text AS first, max(chain_seq)::text AS last
         FROM audit_event
        WHERE partnership = $1 AND chain_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2) AND ($3::timestamptz IS NULL OR occurred_at < $3)`,
      [chainId, from?.toISOString() ?? null, to?.toISOString() ?? null],
    )) as Array<{ first: string | null; last: string | null }>;
    return row?.first == null || row.last == null
      ? null
      : { first: Number(row.first), last: Number(row.last) };
  }

  /** The stored row with table position `seq`, for naming a failure to the auditor (no details). */
  async entryAt(
    chainId: string,
    seq: number,
  ): Promise<{ occurredAt: string; action: string; actorId: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT occurred_at, action, actor_id FROM audit_event WHERE chain_id = $1 AND seq = $2`,
      [chainId, seq],
    )) as Array<{ occurred_at: Date; action: string; actor_id: string }>;
    return row
      ? {
          occurredAt: new Date(row.occurred_at).toISOString(),
          action: row.action,
          actorId: row.actor_id,
        }
      : null;
  }

  /**
   * Audit entries committed but not yet given their chain position, and how long the oldest has
   * waited (seconds, on the database's clock): the audit sequencing lag.
   */
  async sequencingLag(): Promise<{ waiting: number; oldestSeconds: number }> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS waiting,
              COALESCE(EXTRACT(EPOCH FROM now() - min(enqueued_at)), 0)::float AS oldest
         FROM audit_pending`,
    )) as Array<{ waiting: number; oldest: number }>;
    return { waiting: row.waiting, oldestSeconds: row.oldest };
  }
}

export function key(r: CaseRef): string {
  return `${r.partnership}|${r.id}`;
}
