import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

export interface QueryEventRow {
  seq: number;
  agency: string | null;
  memberId: string | null;
  status: string;
}

/** Part statuses an agency's answer sets (a timeout is not an answer: it says nothing of the rate). */
const ANSWERED = ['match', 'possible-match', 'no-match', 'failed'];

/** An agency's answers over the admission window and over its recent part. */
export interface AgencyAnswers {
  answered: number;
  answeredRecently: number;
}

/**
 * The query event log (`query_event`, written by triggers) and the measurements admission control
 * takes from the database, so that every broker instance sees the same numbers.
 */
@Injectable()
export class QueryEventRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Per agency, requests sent and not yet answered: every partnership's, since the adapters and
   * Kafka serve them all. Reads only the pending parts (`status, deadline_at` index), however
   * busy the day has been.
   */
  async inFlight(agencies: string[]): Promise<Map<string, number>> {
    const result = new Map<string, number>(agencies.map((a) => [a, 0]));
    if (agencies.length === 0) return result;
    const rows = (await this.dataSource.query(
      `SELECT agency, count(*)::int AS n FROM federated_query_agency
        WHERE status = 'pending' AND dispatched_at IS NOT NULL AND agency = ANY($1)
        GROUP BY agency`,
      [agencies],
    )) as Array<{ agency: string; n: number }>;
    for (const r of rows) result.set(r.agency, r.n);
    return result;
  }

  /**
   * Per agency, answers received within the last `windowSeconds` of database time and within its
   * last `recentSeconds`. Only a part's first answer counts: a representative settling a possible
   * match later changes the part's status again, but the agency's system answered nothing more.
   * This reads every answer of the window, so its cost grows with the rate: `AdmissionService`
   * reads it at most once a `rateRefreshMs`, not once a query.
   */
  async answered(
    agencies: string[],
    windowSeconds: number,
    recentSeconds = windowSeconds,
  ): Promise<Map<string, AgencyAnswers>> {
    const result = new Map<string, AgencyAnswers>(
      agencies.map((a) => [a, { answered: 0, answeredRecently: 0 }]),
    );
    if (agencies.length === 0) return result;
    const rows = (await this.dataSource.query(
      `SELECT e.agency, count(*)::int AS n,
              count(*) FILTER (WHERE e.at > now() - make_interval(secs => $4))::int AS recent
         FROM query_event e
        WHERE e.at > now() - make_interval(secs => $2) AND e.agency = ANY($1) AND e.status = ANY($3)
          AND NOT EXISTS (
            SELECT 1 FROM query_event f
             WHERE f.query_id = e.query_id AND f.seq < e.seq AND f.agency = e.agency
               AND f.member_id IS NOT DISTINCT FROM e.member_id AND f.status = ANY($3))
        GROUP BY e.agency`,
      [agencies, windowSeconds, ANSWERED, recentSeconds],
    )) as Array<{ agency: string; n: number; recent: number }>;
    for (const r of rows) result.set(r.agency, { answered: r.n, answeredRecently: r.recent });
    return result;
  }

  /** Deletes events older than `seconds` of database time. Returns how many. */
  async prune(seconds: number): Promise<number> {
    const [, count] = (await this.dataSource.query(
      `DELETE FROM query_event WHERE at < now() - make_interval(secs => $1)`,
      [seconds],
    )) as [unknown, number];
    return count;
  }
}
