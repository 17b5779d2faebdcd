import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { OutcomeService } from './outcome.service';

/** Re-sends outcomes that agencies have not acknowledged, once a second when due. */
@Injectable()
export class OutcomeRedelivery implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('OutcomeRedelivery');
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly outcomes: OutcomeService) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    try {
      await this.outcomes.redeliver();
    } catch {
      this.logger.warn('outcome redelivery pass failed; will retry');
    } finally {
      this.busy = false;
    }
  }
}
