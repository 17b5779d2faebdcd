import { Injectable } from '@nestjs/common';
import { IntervalJob } from '../common/interval-job';
import { ThresholdService } from './threshold.service';

const EVERY_MS = 30_000;

/**
 * Picks up versions activated on another broker instance for the synchronous lookups (capacity
 * windows, deadline warnings). Rating a referral never waits for it: it reads the database.
 */
@Injectable()
export class ThresholdRefreshJob extends IntervalJob {
  constructor(private readonly thresholds: ThresholdService) {
    super('thresholds.refresh', EVERY_MS, undefined);
  }

  protected run(): Promise<void> {
    return this.thresholds.reload();
  }
}
