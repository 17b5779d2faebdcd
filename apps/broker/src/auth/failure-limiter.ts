/**
 * Counts failed authentications per client address in a sliding window. Past the limit the
 * client gets 429 instead of 401; requests with good tokens are never held back.
 * In-memory, per broker instance: a fleet behind a load balancer should also limit at the edge.
 */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records a failure; returns true when this client is now over the limit. */
  fail(client: string, now = Date.now()): boolean {
    return this.failure(client, now) !== 'under';
  }

  /**
   * Records a failure and says where the client stands: `first-over` only on the failure that
   * takes it past the limit, so a caller can record that moment once rather than every failure.
   */
  failure(client: string, now = Date.now()): 'under' | 'first-over' | 'over' {
    const since = now - this.windowMs;
    const recent = (this.failures.get(client) ?? []).filter((t) => t > since);
    const wasOver = recent.length > this.limit;
    recent.push(now);
    // Only the newest limit+1 failures decide; a client hammering us must not grow the list.
    if (recent.length > this.limit + 1) recent.splice(0, recent.length - this.limit - 1);
    this.failures.set(client, recent);
    if (this.failures.size > 10_000) this.prune(since);
    if (recent.length <= this.limit) return 'under';
    return wasOver ? 'over' : 'first-over';
  }

  private prune(since: number): void {
    for (const [client, times] of this.failures) {
      if (times.every((t) => t <= since)) this.failures.delete(client);
    }
  }
}
