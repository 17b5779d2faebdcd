import { EventEmitter } from 'node:events';
import type { ConsumerCrashEvent } from 'kafkajs';
import { restartWhenCrashedForGood } from './consumer-restart';

/** A consumer as far as a restart sees it: its crash events and its connect. */
function fakeConsumer() {
  const emitter = new EventEmitter();
  const consumer = {
    events: { CRASH: 'consumer.crash' },
    on: (event: string, listener: (e: ConsumerCrashEvent) => void) => {
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
  return { consumer, crash };
}

describe(restartWhenCrashedForGood.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  const setup = () => {
    const { consumer, crash } = fakeConsumer();
    const start = jest.fn(() => Promise.resolve());
    const warn = jest.fn();
    const stop = restartWhenCrashedForGood({
      consumer: consumer as never,
      start,
      warn,
      delayMs: 1_000,
    });
    return { consumer, crash, start, warn, stop };
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
});
