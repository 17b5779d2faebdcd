import { createHash } from 'node:crypto';

export type FailureStanding = 'under' | 'first-over' | 'over';

/** Where the client stands after `failures` in the window: `first-over` only on the one that crosses. */
export function standing(failures: number, limit: number): FailureStanding {
  if (failures <= limit) return 'under';
  return failures === limit + 1 ? 'first-over' : 'over';
}

/** What the limiter needs from storage: add one failure, say how many in the window. */
export interface FailureCounts {
  add(clientHash: string, windowSeconds: number): Promise<number>;
}

/**
 * Counts failed authentications per client address in a window. Past the limit the client gets
 * 429 instead of 401; requests with good tokens are never held back. The counts live in
 * PostgreSQL (`AuthFailureRepository`), so a client spreading attempts over several broker
 * instances meets one limit. A fleet behind a load balancer should also limit at the edge.
 */
export class FailureLimiter {
  constructor(
    private readonly counts: FailureCounts,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {}

  /** Records a failure; returns true when this client is now over the limit. */
  async fail(client: string): Promise<boolean> {
    return (await this.failure(client)) !== 'under';
  }

  /** Records a failure and says where the client stands. */
  async failure(client: string): Promise<FailureStanding> {
    const hash = createHash('sha256').update(client).digest('hex');
    return standing(await this.counts.add(hash, this.windowSeconds), this.limit);
  }
}
