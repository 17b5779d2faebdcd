import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { KafkaProducer } from '../kafka/kafka.producer';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { newTestService, TX } from '../../test/utils';
import type { OutboxMessageEntity } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

const row = (id: number) =>
  ({
    id,
    topic: 't',
    key: `k${id}`,
    value: '{}',
    headers: {},
    attempts: 0,
  }) as unknown as OutboxMessageEntity;

describe(OutboxService.name, () => {
  const setup = (outboxRelayDisabled = false) => {
    const metrics = new BrokerMetrics();
    const t = newTestService(OutboxService, [
      [BROKER_CONFIG, { outboxRelayDisabled } as BrokerConfig],
      [BrokerMetrics, metrics],
    ]);
    const outbox = t.get(OutboxRepository);
    outbox.countPending.mockResolvedValue(0);
    outbox.hasDue.mockResolvedValue(true);
    const producer = t.get(KafkaProducer);
    producer.sendMany.mockResolvedValue(undefined);
    return { sut: t.sut, outbox, producer, metrics };
  };

  /** The keys of each batch the producer was given. */
  const batches = (producer: ReturnType<typeof setup>['producer']) =>
    producer.sendMany.mock.calls.map(([records]) => records.map((r) => r.key));

  it('publishes the due rows as one batch and deletes them in the same transaction', async () => {
    const { sut, outbox, producer } = setup();
    outbox.claim.mockResolvedValueOnce([row(1), row(2)]);
    await expect(sut.drain()).resolves.toBe(2);
    expect(batches(producer)).toEqual([['k1', 'k2']]);
    expect(outbox.removeMany).toHaveBeenCalledWith(TX, [1, 2]);
  });

  it('keeps the rows of a batch whose publication failed, for the next pass', async () => {
    const { sut, outbox, producer } = setup();
    outbox.claim.mockResolvedValueOnce([row(1), row(2)]);
    producer.sendMany.mockRejectedValue(new Error('kafka down'));
    await expect(sut.drain()).rejects.toThrow('kafka down');
    expect(outbox.removeMany).not.toHaveBeenCalled();
  });

  it('counts the messages waiting when the metrics are scraped, not on every pass', async () => {
    const { sut, outbox, metrics } = setup();
    outbox.claim.mockResolvedValueOnce([row(1)]);
    await sut.drain();
    expect(outbox.countPending).not.toHaveBeenCalled();
    outbox.countPending.mockResolvedValue(3);
    expect(await metrics.registry.getSingleMetricAsString('mash_outbox_pending')).toContain(
      'mash_outbox_pending{service="broker"} 3',
    );
    // A count that fails leaves the last value.
    outbox.countPending.mockRejectedValue(new Error('database down'));
    expect(await metrics.registry.getSingleMetricAsString('mash_outbox_pending')).toContain(
      'mash_outbox_pending{service="broker"} 3',
    );
  });

  it('publishes nothing while the relay is configured off', async () => {
    const { sut, outbox } = setup(true);
    sut.kick();
    await sut.onApplicationShutdown();
    expect(outbox.claim).not.toHaveBeenCalled();
  });

  it('relays at once when kicked, and once more for a kick that came during the pass', async () => {
    const { sut, outbox, producer } = setup();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    outbox.claim
      .mockImplementationOnce(async () => {
        await held;
        return [row(1)];
      })
      .mockResolvedValueOnce([row(2)])
      .mockResolvedValue([]);
    sut.kick();
    sut.kick(); // while the first pass waits: coalesced into one more pass
    sut.kick();
    release();
    for (let i = 0; i < 20 && producer.sendMany.mock.calls.length < 2; i++)
      await new Promise((resolve) => setImmediate(resolve));
    await sut.onApplicationShutdown();
    expect(batches(producer)).toEqual([['k1'], ['k2']]);
    expect(outbox.claim).toHaveBeenCalledTimes(2);
  });

  it('is the job outbox.relay, passes through tick like every job', async () => {
    const { sut, outbox } = setup();
    outbox.claim.mockResolvedValueOnce([row(1)]).mockResolvedValue([]);
    expect(sut.name).toBe('outbox.relay');
    await expect(sut.tick()).resolves.toBe(1);
  });

  it('asks first on a pass of its own, and claims nothing when nothing is due', async () => {
    const { sut, outbox } = setup();
    outbox.hasDue.mockResolvedValue(false);
    await expect(sut.tick()).resolves.toBe(0);
    expect(outbox.claim).not.toHaveBeenCalled();
    // A kick follows a commit that queued records: it claims without asking.
    outbox.hasDue.mockClear();
    outbox.claim.mockResolvedValueOnce([row(1)]).mockResolvedValue([]);
    sut.kick();
    await sut.onApplicationShutdown();
    expect(outbox.hasDue).not.toHaveBeenCalled();
    expect(outbox.claim).toHaveBeenCalled();
  });

  it('still relays for a kick that came while a pass of its own was asking', async () => {
    const { sut, outbox, producer } = setup();
    outbox.hasDue.mockImplementation(async () => {
      sut.kick(); // a commit lands while the interval's pass asks, and finds nothing yet
      return false;
    });
    outbox.claim.mockResolvedValueOnce([row(1)]).mockResolvedValue([]);
    await expect(sut.tick()).resolves.toBe(1);
    expect(batches(producer)).toEqual([['k1']]);
  });

  it('stores records with the time they become due', async () => {
    const { sut, outbox } = setup();
    const at = new Date('2026-06-03T12:00:00Z');
    await sut.enqueue(TX, [{ topic: 't', key: 'k', value: '{}', headers: {} }], at);
    expect(outbox.insert).toHaveBeenCalledWith(TX, [expect.objectContaining({ key: 'k' })], at);
    await sut.enqueue(TX, []);
    expect(outbox.insert).toHaveBeenCalledTimes(1);
  });
});
