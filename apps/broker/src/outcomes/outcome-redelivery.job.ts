import { Injectable } from '@nestjs/common';
import { OutcomeService } from './outcome.service';
import { IntervalJob } from '../common/interval-job';

/** Re-sends outcomes that agencies have not acknowledged, once a second when due. */
@Injectable()
export class OutcomeRedeliveryJob extends IntervalJob<void> {
  constructor(private readonly outcomes: OutcomeService) {
    super('outcomes.redelivery', 1000, undefined);
  }

  protected async run(): Promise<void> {
    await this.outcomes.redeliver();
  }
}
