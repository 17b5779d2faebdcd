import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, Clock } from '@mash/common';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

export interface PartnershipMetrics {
  partnership: string;
  from: string;
  to: string;
  referrals: number;
  referralsByAgency: Record<string, number>;
  ragMix: Record<string, number>;
  signposted: number;
  deadlines: {
    /** Cases decided (first outcome) by their deadline, after it, and still open past it. */
    decidedOnTime: number;
    decidedLate: number;
    openOverdue: number;
    openWithinDeadline: number;
    /** decidedOnTime / (decidedOnTime + decidedLate + openOverdue); null when there is nothing to count. */
    shareWithinDeadline: number | null;
  };
  outcomesByType: Record<string, number>;
  reReferrals: {
    /** Referrals in the period of a child already referred in the 12 months before. */
    count: number;
    share: number | null;
  };
}

/**
 * The partnership's feedback loop, so leaders can see whether thresholds hold. Counts only: no
 * case ids, no personal data. Re-referrals match on the stored subject pseudonym (name and date
 * of birth), which survives the deletion of the subject's details.
 */
@Injectable()
export class PartnershipMetricsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  async compute(
    partnership: string,
    from?: Date,
    to?: Date,
    now = this.clock.now(),
  ): Promise<PartnershipMetrics> {
    const end = to ?? now;
    const start = from ?? new Date(end.getTime() - YEAR_MS);
    if (start >= end) throw new DomainError('METRICS.BAD_RANGE', 'from must be before to', 400);
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
    const referrals = byAgency.reduce((a, r) => a + r.n, 0);
    const counted = d.on_time + d.late + d.open_overdue;
    return {
      partnership,
      from: start.toISOString(),
      to: end.toISOString(),
      referrals,
      referralsByAgency: Object.fromEntries(byAgency.map((r) => [r.key, r.n])),
      ragMix: { red: 0, amber: 0, green: 0, ...Object.fromEntries(byRag.map((r) => [r.key, r.n])) },
      signposted,
      deadlines: {
        decidedOnTime: d.on_time,
        decidedLate: d.late,
        openOverdue: d.open_overdue,
        openWithinDeadline: d.open_within,
        shareWithinDeadline: counted === 0 ? null : d.on_time / counted,
      },
      outcomesByType: Object.fromEntries(outcomes.map((r) => [r.key, r.n])),
      reReferrals: { count: re.n, share: referrals === 0 ? null : re.n / referrals },
    };
  }
}
