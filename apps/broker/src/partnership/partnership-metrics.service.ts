import { Injectable } from '@nestjs/common';
import { Clock } from '@mash/common';
import { PartnershipMetricsRepository } from './partnership-metrics.repository';
import { brokerError } from '../common/errors';

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
    private readonly repository: PartnershipMetricsRepository,
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
    if (start >= end) throw brokerError('METRICS.BAD_RANGE', 'from must be before to');
    const {
      byAgency,
      byRag,
      signposted,
      deadlines: d,
      outcomes,
      reReferrals,
    } = await this.repository.counts(partnership, start, end, now);
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
      reReferrals: { count: reReferrals, share: referrals === 0 ? null : reReferrals / referrals },
    };
  }
}
