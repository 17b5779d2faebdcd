/**
 * Exponential back-off for redelivering to an agency until it acknowledges: `base` after the
 * first attempt, doubling each time, never more than `max` (milliseconds).
 */
export function retryDelay(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}
