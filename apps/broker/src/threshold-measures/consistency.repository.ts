import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Rag } from '@mash/thresholds';
import type { AgencyLoad, RatedCase } from './consistency';

/**
 * What the consistency measure counts, read from the cases' and queries' tables (this folder sits
 * above cases/ and queries/, as a reader of both). No subject data is selected: concern codes,
 * the staff id of the first rating, the RAG changes, and counts of queries.
 */
@Injectable()
export class ConsistencyRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Cases taken in (not signposted) received in [start, end), with their rating changes. */
  async ratedCases(partnership: string, start: Date, end: Date): Promise<RatedCase[]> {
    const rows = (await this.dataSource.query(
      `SELECT c.concerns, c.created_by,
              COALESCE((SELECT json_agg(json_build_object('from', r.from_rag, 'to', r.to_rag) ORDER BY r.changed_at)
                          FROM case_rating_change r WHERE r.partnership = c.partnership AND r.case_id = c.id), '[]') AS changes
         FROM mash_case c
        WHERE c.partnership = $1 AND c.received_at >= $2 AND c.received_at < $3 AND c.status <> 'signposted'`,
      [partnership, start, end],
    )) as Array<{ concerns: string[]; created_by: string; changes: Array<{ from: Rag; to: Rag }> }>;
    return rows.map((r) => ({
      concerns: r.concerns,
      firstRatedBy: r.created_by,
      changes: r.changes,
    }));
  }

  /** Queries sent to each agency in [start, end) and the most in any one clock hour. */
  async agencyLoads(
    partnership: string,
    start: Date,
    end: Date,
  ): Promise<Array<Omit<AgencyLoad, 'queriesPerHour'>>> {
    const rows = (await this.dataSource.query(
      `SELECT agency, sum(n)::int AS asked, max(n)::int AS busiest_hour
         FROM (SELECT a.agency, date_trunc('hour', a.dispatched_at) AS hour, count(DISTINCT a.query_id) AS n
                 FROM federated_query_agency a
                WHERE a.partnership = $1 AND a.dispatched_at >= $2 AND a.dispatched_at < $3
                GROUP BY 1, 2) per_hour
        GROUP BY agency`,
      [partnership, start, end],
    )) as Array<{ agency: string; asked: number; busiest_hour: number }>;
    return rows.map((r) => ({ agency: r.agency, asked: r.asked, busiestHour: r.busiest_hour }));
  }
}
