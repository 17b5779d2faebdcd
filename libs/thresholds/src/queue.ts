import { type Rag, RAGS } from './schema';

export interface Queued {
  rag: Rag;
  dueAt: Date;
  enqueuedAt: Date;
  /** Optional final tie-break so the order is total and repeatable. */
  id?: string;
}

/**
 * Order of the capacity queue: red before amber before green, then the earliest deadline, then
 * the earliest arrival (then `id`, when given). Use with `Array.prototype.sort`.
 */
export function compareQueued(a: Queued, b: Queued): number {
  return (
    RAGS.indexOf(a.rag) - RAGS.indexOf(b.rag) ||
    a.dueAt.getTime() - b.dueAt.getTime() ||
    a.enqueuedAt.getTime() - b.enqueuedAt.getTime() ||
    (a.id === undefined || b.id === undefined ? 0 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

const WINDOW_MS = 60 * 60 * 1000;

/**
 * Sliding one-hour window: whether one more query may be sent at `now`, given the instants at
 * which earlier queries were sent. Sends within the last hour count (as do any stamped after
 * `now`, so a clock step backwards never frees capacity early).
 */
export function capacityAvailable(
  windowStarts: readonly Date[],
  queriesPerHour: number,
  now: Date,
): boolean {
  return sentInWindow(windowStarts, now) < queriesPerHour;
}

/**
 * The earliest instant at or after `now` when one more query may be sent: `now` if there is room,
 * else when enough of the sends in the window have aged out of it.
 */
export function nextCapacityAt(
  windowStarts: readonly Date[],
  queriesPerHour: number,
  now: Date,
): Date {
  const t = now.getTime();
  const inWindow = windowStarts
    .map((d) => d.getTime())
    .filter((s) => s > t - WINDOW_MS)
    .sort((x, y) => x - y);
  if (inWindow.length < queriesPerHour) return new Date(t);
  // The send that must leave the window so fewer than `queriesPerHour` remain.
  return new Date(inWindow[inWindow.length - queriesPerHour] + WINDOW_MS);
}

/**
 * When each of the next `count` waiting queries can be sent, in queue order, if nothing else
 * changes (no re-rating, no restart, the agency reachable): each takes the first free slot after
 * the one before it. What an analyst is shown as the expected release time.
 */
export function releaseTimes(
  windowStarts: readonly Date[],
  queriesPerHour: number,
  now: Date,
  count: number,
): Date[] {
  const window = [...windowStarts];
  const times: Date[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = nextCapacityAt(window, queriesPerHour, times[i - 1] ?? now);
    window.push(at);
    times.push(at);
  }
  return times;
}

function sentInWindow(windowStarts: readonly Date[], now: Date): number {
  const t = now.getTime();
  let n = 0;
  for (const d of windowStarts) {
    const s = d.getTime();
    if (s > t - WINDOW_MS) n += 1;
  }
  return n;
}

/**
 * A per-agency sliding-window limiter holding its own send times. Pure: the caller passes `now`.
 * Not shared across broker instances; persist the send times if several instances send.
 */
export class SlidingWindowLimiter {
  private sends: number[] = [];

  constructor(readonly queriesPerHour: number) {
    if (!Number.isInteger(queriesPerHour) || queriesPerHour < 1) {
      throw new RangeError('queriesPerHour must be a positive integer');
    }
  }

  /** Records a send and returns true if there is room at `now`; otherwise returns false. */
  tryTake(now: Date): boolean {
    this.prune(now);
    if (this.sends.length >= this.queriesPerHour) return false;
    this.sends.push(now.getTime());
    return true;
  }

  available(now: Date): number {
    this.prune(now);
    return Math.max(0, this.queriesPerHour - this.sends.length);
  }

  nextAvailableAt(now: Date): Date {
    this.prune(now);
    return nextCapacityAt(
      this.sends.map((s) => new Date(s)),
      this.queriesPerHour,
      now,
    );
  }

  private prune(now: Date): void {
    const cutoff = now.getTime() - WINDOW_MS;
    // Sends arrive in time order in practice; filter anyway so an out-of-order clock is safe.
    this.sends = this.sends.filter((s) => s > cutoff);
  }
}
