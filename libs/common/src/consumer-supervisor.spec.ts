import { EventEmitter } from 'node:events';
import type { ConsumerCrashEvent, ConsumerGroupJoinEvent } from 'kafkajs';
import { superviseConsumer } from './consumer-supervisor';

/** A consumer as far as a restart sees it: its join and crash events, and its connect. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH: 'consumer.crash', GROUP_JOIN: 'consumer.group_join' },
    on: (event: string, listener: (e: ConsumerCrashEvent | ConsumerGroupJoinEvent) => void) => {
      emitter.on(event, listener);
      return () => emitter.off(event, listener);
    },
    connect: jest.fn(() => Promise.resolve()),
  };
  const crash = (restart: boolean) =>
    emitter.emit('consumer.crash', {
      type: 'consumer.crash',
      payload: { error: new Error('Failed to find group coordinator'), groupId: 'g', restart },
    });
  const join = (memberId: string) =>
    emitter.emit('consumer.group_join', {
      type: 'consumer.group_join',
      payload: { groupId: 'g', memberId },
    });
  return { consumer, crash, join };
}

/** What the coordinator answers a LeaveGroup for a member it no longer holds. */
const unknownMember = () =>
  Object.assign(new Error('unknown member'), { type: 'UNKNOWN_MEMBER_ID' });

describe(superviseConsumer.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const client = {};
  const setup = () => {
    const { consumer, crash, join } = fakeConsumer();
    const start = jest.fn(() => Promise.resolve());
    const warn = jest.fn();
    const leave = jest.fn(
      (_client: object, _group: string, _member: string, _signal: AbortSignal) => Promise.resolve(),
    );
    const stop = superviseConsumer({
      consumer: consumer as never,
      client,
      start,
      warn,
      delayMs: 1_000,
      leave,
      leaveForMs: 10_000,
    });
    return { consumer, crash, join, start, warn, leave, stop };
  };

  it('connects and starts a consumer that kafkajs will not restart, after a pause', async () => {
    const { consumer, crash, start, warn } = setup();
    crash(false);
    expect(start).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(consumer.connect).toHaveBeenCalledTimes(1);
    expect(start).toHaveBeenCalledTimes(1);
    // The warning names the error's kind, not its message (which may carry broker details).
    expect(warn).toHaveBeenCalledWith('consumer stopped after Error; starting it again');
  });

  it('leaves to kafkajs a crash it restarts itself', async () => {
    const { crash, start } = setup();
    crash(true);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(start).not.toHaveBeenCalled();
  });

  it('tries again while the consumer cannot start, and stops trying once stopped', async () => {
    const { consumer, crash, start, stop } = setup();
    consumer.connect.mockRejectedValueOnce(new Error('ECONNREFUSED'));
    crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(start).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1_000);
    expect(start).toHaveBeenCalledTimes(1);
    stop();
    crash(false);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(start).toHaveBeenCalledTimes(1);
  });

  it('takes the crashed member out of its group, whoever restarts the consumer', async () => {
    const { crash, join, leave, warn } = setup();
    join('member-1');
    crash(true);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(leave).toHaveBeenCalledTimes(1);
    expect(leave).toHaveBeenCalledWith(client, 'g', 'member-1', expect.any(AbortSignal));
    expect(warn).toHaveBeenCalledWith(
      'consumer that crashed has left its group; its restart need not wait for it',
    );
    // The restarted consumer's own member is the next one to leave, and only after its crash.
    join('member-2');
    await jest.advanceTimersByTimeAsync(5_000);
    expect(leave).toHaveBeenCalledTimes(1);
    crash(false);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(leave).toHaveBeenLastCalledWith(client, 'g', 'member-2', expect.any(AbortSignal));
  });

  it('tries to leave until the coordinator takes it or no longer knows the member', async () => {
    const { crash, join, leave } = setup();
    leave
      .mockRejectedValueOnce(new Error('ECONNREFUSED'))
      .mockRejectedValueOnce(new Error('COORDINATOR_LOAD_IN_PROGRESS'))
      .mockRejectedValueOnce(unknownMember());
    join('member-1');
    crash(true);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(leave).toHaveBeenCalledTimes(3);
  });

  it('gives up leaving after leaveForMs, and on shutdown', async () => {
    const { crash, join, leave, stop } = setup();
    leave.mockRejectedValue(new Error('ECONNREFUSED'));
    join('member-1');
    crash(true);
    await jest.advanceTimersByTimeAsync(30_000);
    // One try a second within the 10 s allowed, then no more.
    expect(leave.mock.calls.length).toBeGreaterThanOrEqual(9);
    expect(leave.mock.calls.length).toBeLessThanOrEqual(11);
    const tries = leave.mock.calls.length;
    // On shutdown, an attempt under way is told to give up, and no other is made.
    let pending: AbortSignal | undefined;
    leave.mockImplementationOnce((_c, _g, _m, signal) => {
      pending = signal;
      return new Promise(() => undefined);
    });
    join('member-2');
    crash(true);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(pending?.aborted).toBe(false);
    stop();
    expect(pending?.aborted).toBe(true);
    await jest.advanceTimersByTimeAsync(30_000);
    expect(leave).toHaveBeenCalledTimes(tries + 1);
  });

  it('has nothing to leave for a consumer that crashed before it joined', async () => {
    const { crash, leave } = setup();
    crash(true);
    await jest.advanceTimersByTimeAsync(5_000);
    expect(leave).not.toHaveBeenCalled();
  });
});
