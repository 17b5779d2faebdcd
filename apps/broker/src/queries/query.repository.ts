import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, type DataSource, type EntityManager } from 'typeorm';
import { NotFoundError } from '@mash/common';
import { entityFromRow } from '../common/entity-rows';
import type { QueryEventRow } from './query-event.repository';
import {
  QueryAgencyEntity,
  QueryEntity,
  type AgencyStatus,
  type QueryStatus,
} from './query.entity';

const ANSWERABLE: AgencyStatus[] = ['pending', 'timed-out'];

/** A query as read for a user: its parts and its case's status at the time of reading. */
export interface FoundQuery {
  query: QueryEntity;
  agencies: QueryAgencyEntity[];
  caseStatus: string | null;
}

/** Queries and their per-agency parts, scoped to a partnership on every read by a user. */
@Injectable()
export class QueryRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async insert(
    query: QueryEntity,
    agencies: QueryAgencyEntity[],
    tx: EntityManager,
  ): Promise<void> {
    await tx.getRepository(QueryEntity).insert(query);
    if (agencies.length > 0) await tx.getRepository(QueryAgencyEntity).insert(agencies);
  }

  /**
   * A query, its parts (by agency, then person) and its case's status now, in one statement; the
   * status goes in the audit entry of a view, which would otherwise read it again.
   */
  async get(partnership: string, id: string): Promise<FoundQuery> {
    return this.read(partnership, id, null);
  }

  /**
   * `get` with the query's events numbered after `seq`, oldest first, read in the same snapshot:
   * what the query's event stream reads on every change. A finished query's events are all there
   * (the last change and the query's end commit together), so nothing is missed between them.
   */
  async getWithEvents(
    partnership: string,
    id: string,
    seq: number,
  ): Promise<FoundQuery & { events: QueryEventRow[] }> {
    const found = await this.read(partnership, id, seq);
    return { ...found, events: found.events ?? [] };
  }

  private async read(
    partnership: string,
    id: string,
    eventsAfter: number | null,
  ): Promise<FoundQuery & { events?: QueryEventRow[] }> {
    const [row] = (await this.m().query(
      `SELECT row_to_json(q) AS query, c.status AS case_status,
              (SELECT coalesce(json_agg(p ORDER BY p.agency, p.member_id), '[]')
                 FROM federated_query_agency p
                WHERE p.query_id = q.id AND p.partnership = q.partnership) AS parts,
              CASE WHEN $3::bigint IS NOT NULL THEN
                (SELECT coalesce(json_agg(json_build_object('seq', e.seq, 'agency', e.agency,
                                   'memberId', e.member_id, 'status', e.status) ORDER BY e.seq), '[]')
                   FROM query_event e WHERE e.query_id = q.id AND e.seq > $3::bigint)
              END AS events
         FROM federated_query q
         LEFT JOIN mash_case c ON c.id = q.case_id AND c.partnership = q.partnership
        WHERE q.id = $1 AND q.partnership = $2`,
      [id, partnership, eventsAfter],
    )) as Array<{
      query: Record<string, unknown>;
      case_status: string | null;
      parts: Array<Record<string, unknown>>;
      events: QueryEventRow[] | null;
    }>;
    if (!row) throw new NotFoundError('query');
    return {
      query: entityFromRow(this.dataSource, QueryEntity, row.query),
      agencies: row.parts.map((p) => entityFromRow(this.dataSource, QueryAgencyEntity, p)),
      caseStatus: row.case_status,
      ...(row.events ? { events: row.events } : {}),
    };
  }

  async listForCase(partnership: string, caseId: string): Promise<QueryEntity[]> {
    return this.m()
      .getRepository(QueryEntity)
      .find({ where: { partnership, caseId }, order: { createdAt: 'DESC' } });
  }

  async agenciesForQueries(partnership: string, queryIds: string[]): Promise<QueryAgencyEntity[]> {
    if (queryIds.length === 0) return [];
    return this.m()
      .getRepository(QueryAgencyEntity)
      .find({ where: { partnership, queryId: In(queryIds) } });
  }

  /**
   * The purposes `agency` was asked about this case for (a permitted part of a query exists),
   * most recent first: what lets an agency's representative see and contribute to the case.
   */
  async askedPurposes(partnership: string, caseId: string, agency: string): Promise<string[]> {
    const rows = (await this.m().query(
      `SELECT q.purpose, MAX(q.created_at) AS last FROM federated_query q
         JOIN federated_query_agency a ON a.query_id = q.id
        WHERE q.partnership = $1 AND q.case_id = $2 AND a.agency = $3 AND a.decision = 'permit'
        GROUP BY q.purpose ORDER BY last DESC`,
      [partnership, caseId, agency],
    )) as Array<{ purpose: string }>;
    return rows.map((r) => r.purpose);
  }

  /** Every part of every query on a case, with its query, oldest first (the chronology). */
  async partsForCase(
    partnership: string,
    caseId: string,
  ): Promise<Array<{ query: QueryEntity; part: QueryAgencyEntity }>> {
    const queries = await this.m()
      .getRepository(QueryEntity)
      .find({ where: { partnership, caseId }, order: { createdAt: 'ASC' } });
    const parts = await this.agenciesForQueries(
      partnership,
      queries.map((q) => q.id),
    );
    const byId = new Map(queries.map((q) => [q.id, q]));
    return parts.map((part) => ({ query: byId.get(part.queryId)!, part }));
  }

  /**
   * Used by the answer consumer, which learns the partnership from the stored rows, not the
   * message: one part per person asked about, told apart by the request hash the answer carries.
   */
  async parts(queryId: string, agency: string, tx?: EntityManager): Promise<QueryAgencyEntity[]> {
    // Every answer reads this: mapped from the driver's rows, not by a TypeORM find (entity-rows).
    const rows = (await this.m(tx).query(
      `SELECT * FROM federated_query_agency WHERE query_id = $1 AND agency = $2`,
      [queryId, agency],
    )) as Array<Record<string, unknown>>;
    return rows.map((r) => entityFromRow(this.dataSource, QueryAgencyEntity, r));
  }

  /**
   * Applies an agency's answer to its part, once, in one round trip (the answer consumer is the
   * federation's busiest writer: this did the work of four statements and an agreement lookup):
   *
   * - the case behind the query is read under a share lock, so a retention purge running now
   *   either finishes first (and is seen: `purged`, nothing stored) or waits for this answer;
   * - a `match` under an agreement no longer active (suspended after the request left) is kept
   *   as `failed` with `POLICY.AGREEMENT_NOT_IN_FORCE`, and its records are not stored;
   * - the part changes only while it is pending or timed out (`duplicate` otherwise).
   *
   * Returns the status and failure code stored, and the case's status for the audit entry.
   */
  async applyAnswer(
    partnership: string,
    queryId: string,
    agency: string,
    memberId: string,
    answer: {
      status: AgencyStatus;
      match: QueryAgencyEntity['match'];
      recordsSealed: string | null;
      failureCode: string | null;
      respondedAt: Date;
      dataAsOf: Date | null;
      late: boolean;
      agreement: { id: string; version: number } | null;
    },
    tx: EntityManager,
  ): Promise<
    | { outcome: 'purged' }
    | { outcome: 'duplicate' }
    | {
        outcome: 'applied';
        caseId: string;
        caseStatus: string;
        status: AgencyStatus;
        failureCode: string | null;
        recordsStored: boolean;
      }
  > {
    const rows = (await tx.query(
      `WITH live AS (
         SELECT c.id::text AS id, c.status, c.purged_at IS NULL AS live
           FROM mash_case c JOIN federated_query q ON q.case_id = c.id AND q.partnership = c.partnership
          WHERE q.id = $1 FOR SHARE OF c
       ), verdict AS (
         SELECT $4::text = 'match' AND $11::uuid IS NOT NULL AND NOT coalesce(
                  (SELECT a.status = 'active' FROM agreement_version a
                    WHERE a.partnership = $14 AND a.agreement_id = $11::uuid AND a.version = $12::int),
                  false) AS withdrawn
       ), applied AS (
         UPDATE federated_query_agency p
            SET status = CASE WHEN v.withdrawn THEN 'failed' ELSE $4::text END,
                match = $5::jsonb,
                records_sealed = CASE WHEN v.withdrawn THEN NULL ELSE $6::text END,
                failure_code = CASE WHEN v.withdrawn THEN 'POLICY.AGREEMENT_NOT_IN_FORCE' ELSE $7::text END,
                responded_at = $8::timestamptz,
                data_as_of = $9::timestamptz,
                late = $10::boolean
           FROM verdict v
          WHERE p.query_id = $1 AND p.agency = $2 AND p.member_id = $3::uuid
            AND p.status = ANY($13::text[])
            AND EXISTS (SELECT 1 FROM live WHERE live)
         RETURNING p.status, p.failure_code, p.records_sealed IS NOT NULL AS stored
       )
       SELECT live.id, live.status AS case_status, live.live, applied.status,
              applied.failure_code, applied.stored
         FROM live LEFT JOIN applied ON true`,
      [
        queryId,
        agency,
        memberId,
        answer.status,
        answer.match === null ? null : JSON.stringify(answer.match),
        answer.recordsSealed,
        answer.failureCode,
        answer.respondedAt.toISOString(),
        answer.dataAsOf?.toISOString() ?? null,
        answer.late,
        answer.agreement?.id ?? null,
        answer.agreement?.version ?? null,
        ANSWERABLE,
        partnership,
      ],
    )) as Array<{
      id: string;
      case_status: string;
      live: boolean;
      status: AgencyStatus | null;
      failure_code: string | null;
      stored: boolean | null;
    }>;
    const row = rows[0];
    if (!row?.live) return { outcome: 'purged' };
    if (row.status === null) return { outcome: 'duplicate' };
    return {
      outcome: 'applied',
      caseId: row.id,
      caseStatus: row.case_status,
      status: row.status,
      failureCode: row.failure_code,
      recordsStored: row.stored === true,
    };
  }

  /** Settles a possible match once: only while it is one and unresolved. Returns whether it applied. */
  async resolveMatch(
    queryId: string,
    agency: string,
    memberId: string,
    patch: Pick<QueryAgencyEntity, 'resolution'> & Partial<Pick<QueryAgencyEntity, 'status'>>,
    tx: EntityManager,
  ): Promise<boolean> {
    const result = await tx
      .getRepository(QueryAgencyEntity)
      .createQueryBuilder()
      .update()
      .set(patch)
      .where(
        "query_id = :queryId AND agency = :agency AND member_id = :memberId AND status = 'possible-match' AND resolution IS NULL",
        { queryId, agency, memberId },
      )
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async timeOutExpired(
    now: Date,
    tx: EntityManager,
  ): Promise<Array<{ queryId: string; agency: string; partnership: string }>> {
    type Row = { query_id: string; agency: string; partnership: string };
    // TypeORM answers an UPDATE ... RETURNING with [rows, affectedCount].
    const [rows] = (await tx.query(
      `UPDATE federated_query_agency SET status = 'timed-out'
        WHERE status = 'pending' AND deadline_at < $1
        RETURNING query_id, agency, partnership`,
      [now],
    )) as [Row[], number];
    return rows.map((r) => ({ queryId: r.query_id, agency: r.agency, partnership: r.partnership }));
  }

  /**
   * Settles the query's still-pending parts for these agencies as failed with `code`, as an
   * update (not at insert) so that each change reaches the query's event stream.
   */
  async failPending(
    queryId: string,
    agencies: string[],
    code: string,
    tx: EntityManager,
  ): Promise<void> {
    if (agencies.length === 0) return;
    await tx.query(
      `UPDATE federated_query_agency SET status = 'failed', failure_code = $3
        WHERE query_id = $1 AND agency = ANY($2) AND status = 'pending'`,
      [queryId, agencies, code],
    );
  }

  /** A query by id alone: for the broker's own jobs, which act for whichever partnership owns it. */
  find(id: string): Promise<QueryEntity | null> {
    return this.m().getRepository(QueryEntity).findOne({ where: { id } });
  }

  /**
   * Changes a part only while it is still queued. Returns whether it did. Without `memberId`,
   * every queued part of the query for that agency (each person asked about).
   */
  async updateQueued(
    queryId: string,
    agency: string,
    patch: Partial<QueryAgencyEntity>,
    tx?: EntityManager,
    memberId?: string,
  ): Promise<boolean> {
    const qb = this.m(tx)
      .getRepository(QueryAgencyEntity)
      .createQueryBuilder()
      .update()
      .set(patch)
      .where("query_id = :queryId AND agency = :agency AND status = 'queued'", { queryId, agency });
    if (memberId) qb.andWhere('member_id = :memberId', { memberId });
    const result = await qb.execute();
    return (result.affected ?? 0) > 0;
  }

  /** The people a query still waits to ask the agency about (capacity), the subject first. */
  async queuedParts(queryId: string, agency: string): Promise<Array<{ memberId: string }>> {
    return (await this.m().query(
      `SELECT a.member_id AS "memberId" FROM federated_query_agency a
         LEFT JOIN case_member m ON m.id = a.member_id
        WHERE a.query_id = $1 AND a.agency = $2 AND a.status = 'queued'
        ORDER BY (m.relationship = 'subject') DESC NULLS LAST, m.created_at`,
      [queryId, agency],
    )) as Array<{ memberId: string }>;
  }

  /**
   * pending while any agency is; partial when one timed out or failed; complete otherwise.
   * `locked`: this transaction already holds the query's row lock. Changing a part's status takes
   * it (the `query_part_event` trigger locks the query before numbering the event), so a caller
   * that has just changed one need not ask for it again.
   */
  async refreshStatus(queryId: string, tx: EntityManager, locked = false): Promise<QueryStatus> {
    // Answers for one query arrive in concurrent transactions: without the row lock each reads the
    // others' parts as still pending and the last writer leaves the query pending for ever. (The
    // audit chain's lock used to serialise them by accident.)
    if (!locked)
      await tx.query('SELECT 1 FROM federated_query WHERE id = $1 FOR UPDATE', [queryId]);
    // A new statement after the lock, so it reads every part as committed by now; the parts'
    // statuses only (not their sealed records), in one round trip.
    // TypeORM hands back an UPDATE's RETURNING rows with its row count.
    const [rows] = (await tx.query(
      `UPDATE federated_query q
          SET status = s.status,
              completed_at = CASE WHEN s.status = 'pending' THEN NULL ELSE $2::timestamptz END
         FROM (SELECT CASE
                        WHEN bool_or(status IN ('pending', 'queued')) THEN 'pending'
                        WHEN bool_or(status IN ('timed-out', 'failed')) THEN 'partial'
                        ELSE 'complete'
                      END AS status
                 FROM federated_query_agency WHERE query_id = $1) s
        WHERE q.id = $1
       RETURNING q.status`,
      [queryId, new Date().toISOString()],
    )) as [Array<{ status: QueryStatus }>, number];
    const status = rows[0]?.status ?? 'complete';
    return status;
  }
}
