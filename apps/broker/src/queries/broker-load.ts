import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';

/** How often the event loop's utilisation is sampled, and how much each sample weighs. */
const SAMPLE_MS = 250;
const WEIGHT = 0.3;

/**
 * This broker instance's own load, for admission control: how many query creations are under
 * way in it and how busy its event loop has been lately (an exponentially weighted average of
 * `performance.eventLoopUtilization()` over about a second).
 *
 * The per-agency check of `AdmissionService` sees the agencies' queues but not the broker's: a
 * saturated broker queues requests in its own event loop, where every POST waits seconds and
 * every answer is handled late, so its queries time out however short the agencies' queues are.
 * This is what the broker can see of that before it does any work for a request.
 */
@Injectable()
export class BrokerLoad implements OnModuleDestroy {
  private busyShare = 0;
  private creating = 0;
  private last: EventLoopUtilization = performance.eventLoopUtilization();
  private readonly timer = setInterval(() => this.sample(), SAMPLE_MS).unref();

  /** Share of the last second or so the event loop spent working rather than waiting (0 to 1). */
  busy(): number {
    return this.busyShare;
  }

  /** Query creations under way in this instance. */
  inProgress(): number {
    return this.creating;
  }

  /** Counts one query creation until the returned function is called (once). */
  begin(): () => void {
    this.creating++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.creating--;
    };
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, this.last);
    this.last = now;
    this.busyShare = this.busyShare * (1 - WEIGHT) + utilization * WEIGHT;
  }
}
