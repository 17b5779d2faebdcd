import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { QueryService } from './query.service';

/** Marks agencies that missed a query's deadline as timed out, once a second. */
@Injectable()
export class TimeoutSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Timeouts');
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(private readonly queries: QueryService) {}

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
      await this.queries.sweepTimeouts();
    } catch {
      this.logger.warn('timeout sweep failed; will retry');
    } finally {
      this.busy = false;
    }
  }
}
