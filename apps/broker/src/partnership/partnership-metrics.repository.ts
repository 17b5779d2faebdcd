import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

type Count = { key: string; n: number };

/** The raw counts behind the partnership metrics: cases, deadlines, outcomes, re-referrals. */
export interface PartnershipCounts {
  byAgency: Count[];
  byRag: Count[];
  signposted: number;
  deadlines: { on_time: number; late: number; open_overdue: number; open_within: number };
  outcomes: Count[];
  reReferrals: number;
}

/** Aggregate SQL over cases and outcomes of one partnership and period (counts only). */
@Injectable()
export class PartnershipMetricsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async counts(partnership: string, start: Date, end: Date, now: Date): Promise<PartnershipCounts> {
    const params = [partnership, start, end];
    const q = async <T>(sql: string, extra: unknown[] = []): Promise<T[]> =>
      (await this.dataSource.query(sql, [...params, ...extra])) as T[];
    const inRange = `c.partnership = $1 AND c.received_at >= $2 AND c.received_at < $3`;

    const byAgency = await q<{ key: string; n: number }>(
      `SELECT c.referrer_agency AS key, count(*)::int AS n FROM mash_case c WHERE ${inRange} GROUP BY 1 ORDER BY 1`,
    );
    const byRag = await q<{ key: string; n: number }>(
      `SELECT c.rag AS key, count(*)::int AS n FROM mash_case c WHERE ${inRange} AND c.status <> 'signposted' GROUP BY 1`,
    );
    const [{ n: signposted }] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM mash_case c WHERE ${inRange} AND c.status = 'signposted'`,
    );
    const [d] = await q<{
      on_time: number;
      late: number;
      open_overdue: number;
      open_within: number;
    }>(
      `SELECT count(*) FILTER (WHERE o.first_at IS NOT NULL AND o.first_at <= c.due_at)::int AS on_time,
              count(*) FILTER (WHERE o.first_at IS NOT NULL AND o.first_at > c.due_at)::int AS late,
              count(*) FILTER (WHERE o.first_at IS NULL AND c.status = 'open' AND c.due_at < $4)::int AS open_overdue,
              count(*) FILTER (WHERE o.first_at IS NULL AND c.status = 'open' AND c.due_at >= $4)::int AS open_within
         FROM mash_case c
         LEFT JOIN (SELECT case_id, min(decided_at) AS first_at FROM case_outcome WHERE partnership = $1 GROUP BY case_id) o ON o.case_id = c.id
        WHERE ${inRange} AND c.due_at IS NOT NULL`,
      [now],
    );
    const outcomes = await q<{ key: string; n: number }>(
      `SELECT o.outcome AS key, count(*)::int AS n FROM case_outcome o WHERE o.partnership = $1 AND o.decided_at >= $2 AND o.decided_at < $3 GROUP BY 1 ORDER BY 1`,
    );
    const [re] = await q<{ n: number }>(
      `SELECT count(*)::int AS n FROM mash_case c
        WHERE ${inRange} AND c.subject_pseudonym IS NOT NULL AND EXISTS (
          SELECT 1 FROM mash_case p WHERE p.partnership = c.partnership AND p.subject_pseudonym = c.subject_pseudonym
             AND p.id <> c.id AND p.received_at < c.received_at AND p.received_at >= c.received_at - interval '12 months')`,
    );
    return { byAgency, byRag, signposted, deadlines: d, outcomes, reReferrals: re.n };
  }
}
