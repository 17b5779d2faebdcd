import { Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';

/**
 * A background job of the broker: `run` every `everyMs`, one pass at a time (a tick while a pass
 * runs does nothing), a failed pass logged by the job's name alone (never its data) and tried
 * again at the next tick. Timers are unref'd so they never hold a process open; a test drives a
 * job by calling `tick()` itself. Names follow `<feature>.<job>`, e.g. `queries.timeouts`.
 */
export abstract class IntervalJob<T = void>
  implements OnApplicationBootstrap, OnApplicationShutdown
{
  protected readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  protected constructor(
    readonly name: string,
    private readonly everyMs: number,
    /** What `tick` returns when it does not run or the pass fails. */
    private readonly idle: T,
    /** Run a first pass at start rather than after the first interval. */
    private readonly runAtStart = false,
  ) {
    this.logger = new Logger(name);
  }

  protected abstract run(): Promise<T>;

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs);
    this.timer.unref();
    if (this.runAtStart) void this.tick();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<T> {
    if (this.busy) return this.idle;
    this.busy = true;
    try {
      return await this.run();
    } catch {
      this.logger.warn(`${this.name} pass failed; will retry`);
      return this.idle;
    } finally {
      this.busy = false;
    }
  }
}
