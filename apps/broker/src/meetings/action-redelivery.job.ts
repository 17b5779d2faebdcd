import { Injectable } from '@nestjs/common';
import { IntervalJob } from '../common/interval-job';
import { MeetingService } from './meeting.service';

/** Re-sends meeting actions that agencies have not acknowledged, once a second when due. */
@Injectable()
export class ActionRedeliveryJob extends IntervalJob<void> {
  constructor(private readonly meetings: MeetingService) {
    super('meetings.action-redelivery', 1000, undefined);
  }

  protected async run(): Promise<void> {
    await this.meetings.redeliver();
  }
}
