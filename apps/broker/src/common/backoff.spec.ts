import { DomainError } from '@mash/common';
import type { KafkaRecord } from '../kafka/kafka.producer';
import {
  firstAttempt,
  redeliveryPass,
  retryDelay,
  RetrySchedule,
  type RedeliveryPatch,
} from './backoff';

const NOW = new Date('2026-06-03T10:00:00.000Z');
const record = (key: string): KafkaRecord => ({ topic: 't', key, value: '{}', headers: {} });

describe(retryDelay.name, () => {
  it('doubles from the base after each attempt, up to the maximum', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(n, 1_000, 5_000))).toEqual([
      1_000, 2_000, 4_000, 5_000, 5_000,
    ]);
  });
});

describe(RetrySchedule.name, () => {
  it('starts at a minute and stops doubling at fifteen', () => {
    const sut = new RetrySchedule();
    expect([1, 2, 5, 20].map((n) => sut.delay(n))).toEqual([60_000, 120_000, 900_000, 900_000]);
  });
});

describe(firstAttempt.name, () => {
  const pending = () => ({
    attempts: 0,
    lastSentAt: null as Date | null,
    nextAttemptAt: NOW,
    lastError: null as string | null,
  });

  it('counts a built message as the first attempt and schedules the retry', async () => {
    const item = pending();
    await expect(
      firstAttempt(
        item,
        NOW,
        (n) => n * 5_000,
        () => Promise.resolve(record('a')),
      ),
    ).resolves.toEqual(record('a'));
    expect(item).toEqual({
      attempts: 1,
      lastSentAt: NOW,
      nextAttemptAt: new Date(NOW.getTime() + 5_000),
      lastError: null,
    });
  });

  it('leaves the item due now, with the error code, when the message cannot be built', async () => {
    const item = pending();
    const build = () => Promise.reject(new DomainError('AGENCY.UNKNOWN', 'no such agency'));
    await expect(firstAttempt(item, NOW, () => 5_000, build)).resolves.toBeUndefined();
    expect(item).toEqual({ ...pending(), lastError: 'AGENCY.UNKNOWN' });
    const other = pending();
    await firstAttempt(
      other,
      NOW,
      () => 5_000,
      () => Promise.reject(new Error('network')),
    );
    expect(other.lastError).toBe('AGENCY.KEYS_UNAVAILABLE');
  });
});

describe(redeliveryPass.name, () => {
  const run = (
    items: Array<{ id: string; attempts: number }>,
    message: (id: string) => Promise<KafkaRecord>,
  ) => {
    const updates: Array<[string, RedeliveryPatch]> = [];
    const pass = redeliveryPass(items, NOW, (n) => n * 1_000, {
      load: (item) => Promise.resolve(item.id === 'gone' ? undefined : item.id),
      message: (_item, id) => message(id),
      update: (item, patch) => {
        updates.push([item.id, patch]);
        return Promise.resolve();
      },
    });
    return { pass, updates };
  };

  it('sends what it can build, counts the attempt and backs off the next', async () => {
    const { pass, updates } = run(
      [
        { id: 'a', attempts: 0 },
        { id: 'gone', attempts: 3 },
        { id: 'b', attempts: 2 },
      ],
      (id) => Promise.resolve(record(id)),
    );
    expect((await pass).map((r) => r.key)).toEqual(['a', 'b']);
    expect(updates).toEqual([
      [
        'a',
        {
          attempts: 1,
          lastSentAt: NOW,
          nextAttemptAt: new Date(NOW.getTime() + 1_000),
          lastError: null,
        },
      ],
      [
        'b',
        {
          attempts: 3,
          lastSentAt: NOW,
          nextAttemptAt: new Date(NOW.getTime() + 3_000),
          lastError: null,
        },
      ],
    ]);
  });

  it('keeps the count of an item it could not build and records why, by code only', async () => {
    const { pass, updates } = run(
      [
        { id: 'a', attempts: 1 },
        { id: 'b', attempts: 1 },
      ],
      (id) =>
        id === 'a'
          ? Promise.reject(new DomainError('AGENCY.NOT_REGISTERED', 'no keys for Ada', 422))
          : Promise.reject(new Error('cipher failed for Ada')),
    );
    await expect(pass).resolves.toEqual([]);
    expect(updates).toEqual([
      ['a', { nextAttemptAt: new Date(NOW.getTime() + 2_000), lastError: 'AGENCY.NOT_REGISTERED' }],
      [
        'b',
        { nextAttemptAt: new Date(NOW.getTime() + 2_000), lastError: 'AGENCY.KEYS_UNAVAILABLE' },
      ],
    ]);
  });
});
