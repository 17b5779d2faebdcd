import { DomainError } from '@mash/common';
import type { KafkaRecord } from '../kafka/kafka.producer';

/**
 * Exponential back-off for redelivering to an agency until it acknowledges: `base` after the
 * first attempt, doubling each time, never more than `max` (milliseconds).
 */
export function retryDelay(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

/** The back-off of one kind of item sent to agencies until acknowledged (outcomes, meeting actions). */
export class RetrySchedule {
  /** First retry delay; doubles per attempt up to `maxMs`. Lowered by tests. */
  baseMs = 60_000;
  maxMs = 15 * 60_000;

  delay(attempts: number): number {
    return retryDelay(attempts, this.baseMs, this.maxMs);
  }
}

/** What a redelivery pass writes on an item: its next attempt, and on success the count and time. */
export interface RedeliveryPatch {
  attempts?: number;
  lastSentAt?: Date;
  nextAttemptAt: Date;
  lastError: string | null;
}

/**
 * One redelivery pass over the items whose retry is due (outcomes, meeting actions): each item
 * whose `load` finds something to send is built into a message by `message`; a sent item counts
 * an attempt, a failed build (an agency's keys unavailable) keeps its count and records the error
 * code. Either way the next attempt backs off by `delay`. Returns the messages, for the caller to
 * put in the outbox in the same transaction.
 */
export async function redeliveryPass<T extends { attempts: number }, L>(
  due: readonly T[],
  now: Date,
  delay: (attempts: number) => number,
  steps: {
    /** What the message is built from; undefined when there is nothing left to send. */
    load: (item: T) => Promise<L | undefined>;
    message: (item: T, loaded: L) => Promise<KafkaRecord>;
    update: (item: T, patch: RedeliveryPatch) => Promise<void>;
  },
): Promise<KafkaRecord[]> {
  const messages: KafkaRecord[] = [];
  for (const item of due) {
    const loaded = await steps.load(item);
    if (loaded === undefined) continue;
    try {
      messages.push(await steps.message(item, loaded));
      const attempts = item.attempts + 1;
      await steps.update(item, {
        attempts,
        lastSentAt: now,
        nextAttemptAt: new Date(now.getTime() + delay(attempts)),
        lastError: null,
      });
    } catch (error) {
      await steps.update(item, {
        nextAttemptAt: new Date(now.getTime() + delay(item.attempts + 1)),
        lastError: error instanceof DomainError ? error.code : 'AGENCY.KEYS_UNAVAILABLE',
      });
    }
  }
  return messages;
}

/**
 * The first attempt at sending a new item, built before its transaction (fetching an agency's keys
 * is network I/O): a built message counts the attempt and schedules the retry; a failed build (the
 * agency's keys unavailable) leaves the item pending, due now, with the error code, for the next
 * redelivery pass. Returns the message, or undefined when it could not be built.
 */
export async function firstAttempt(
  item: {
    attempts: number;
    lastSentAt: Date | null;
    nextAttemptAt: Date;
    lastError: string | null;
  },
  now: Date,
  delay: (attempts: number) => number,
  build: () => Promise<KafkaRecord>,
): Promise<KafkaRecord | undefined> {
  try {
    const message = await build();
    item.attempts = 1;
    item.lastSentAt = now;
    item.nextAttemptAt = new Date(now.getTime() + delay(1));
    return message;
  } catch (error) {
    item.lastError = error instanceof DomainError ? error.code : 'AGENCY.KEYS_UNAVAILABLE';
    return undefined;
  }
}
