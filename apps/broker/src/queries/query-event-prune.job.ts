import { Injectable } from '@nestjs/common';
import { IntervalJob } from '../common/interval-job';
import { QueryEventRepository } from './query-event.repository';

/**
 * The query event log is for live streams, reconnects and the admission rate: a week covers any
 * query still open (the capacity queue works in hours). Older events are deleted hourly.
 */
const KEEP_SECONDS = 7 * 24 * 3600;

@Injectable()
export class QueryEventPruneJob extends IntervalJob<number> {
  constructor(private readonly events: QueryEventRepository) {
    super('queries.event-prune', 60 * 60 * 1000, 0, true);
  }

  protected run(): Promise<number> {
    return this.events.prune(KEEP_SECONDS);
  }
}
