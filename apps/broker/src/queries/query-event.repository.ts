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

/** An agency's requests in flight, and its answers over the admission window and its recent part. */
export interface AgencyLoad {
  inFlight: number;
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
   * Per agency: requests sent and not yet answered (every partnership's: the adapters and Kafka
   * serve them all), and answers received within the last `windowSeconds` of database time and
   * within its last `recentSeconds`. Only a part's first answer counts: a representative settling
   * a possible match later changes the part's status again, but the agency's system answered
   * nothing more.
   */
  async load(
    agencies: string[],
    windowSeconds: number,
    recentSeconds = windowSeconds,
  ): Promise<Map<string, AgencyLoad>> {
    const result = new Map<string, AgencyLoad>(
      agencies.map((a) => [a, { inFlight: 0, answered: 0, answeredRecently: 0 }]),
    );
    if (agencies.length === 0) return result;
    // One statement for both counts: a new query asks this before anything else.
    const rows = (await this.dataSource.query(
      `SELECT a.agency, coalesce(f.n, 0) AS in_flight, coalesce(e.n, 0) AS answered,
              coalesce(e.recent, 0) AS recent
         FROM unnest($1::text[]) AS a(agency)
         LEFT JOIN (
           SELECT agency, count(*)::int AS n FROM federated_query_agency
            WHERE status = 'pending' AND dispatched_at IS NOT NULL AND agency = ANY($1)
            GROUP BY agency) f ON f.agency = a.agency
         LEFT JOIN (
           SELECT e.agency, count(*)::int AS n,
                  count(*) FILTER (WHERE e.at > now() - make_interval(secs => $4))::int AS recent
             FROM query_event e
            WHERE e.at > now() - make_interval(secs => $2) AND e.agency = ANY($1) AND e.status = ANY($3)
              AND NOT EXISTS (
                SELECT 1 FROM query_event f
                 WHERE f.query_id = e.query_id AND f.seq < e.seq AND f.agency = e.agency
                   AND f.member_id IS NOT DISTINCT FROM e.member_id AND f.status = ANY($3))
            GROUP BY e.agency) e ON e.agency = a.agency`,
      [agencies, windowSeconds, ANSWERED, recentSeconds],
    )) as Array<{ agency: string; in_flight: number; answered: number; recent: number }>;
    for (const r of rows)
      result.set(r.agency, {
        inFlight: r.in_flight,
        answered: r.answered,
        answeredRecently: r.recent,
      });
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
