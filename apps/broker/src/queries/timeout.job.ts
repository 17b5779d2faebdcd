import { Injectable } from '@nestjs/common';
import { QueryService } from './query.service';
import { IntervalJob } from '../common/interval-job';

/** Marks agencies that missed a query's deadline as timed out, once a second. */
@Injectable()
export class TimeoutJob extends IntervalJob<void> {
  constructor(private readonly queries: QueryService) {
    super('queries.timeouts', 1000, undefined);
  }

  protected async run(): Promise<void> {
    await this.queries.sweepTimeouts();
  }
}
