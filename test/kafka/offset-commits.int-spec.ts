/**
 * Offset commits with `KAFKA_RUN_SETTINGS`, on the real Kafka, as `patches/kafkajs+2.2.4.patch`
 * leaves kafkajs: the end of a batch honours `autoCommitInterval` (unpatched, every batch commits,
 * and under load most batches are one message), offsets the interval held back are committed by
 * the next idle fetch, and a clean stop commits everything processed. Without an interval a
 * consumer still commits after every batch.
 */
import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, Producer } from 'kafkajs';
import { KAFKA_RUN_SETTINGS } from '@mash/common';
import { kafka } from '../support/kafka';
import { eventually } from '../support/federation';

describe('Kafka offset commits', () => {
  let admin: Admin;
  let producer: Producer;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    admin = kafka().admin();
    producer = kafka().producer();
    await Promise.all([admin.connect(), producer.connect()]);
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  /**
   * A consumer of a new topic of three partitions, taken concurrently as the services do, that has
   * taken `n` messages, each sent once the one before it was processed (so each is a batch of its
   * own); with the commits it made meanwhile.
   */
  async function consumed(n: number, autoCommitInterval: number | undefined) {
    const topic = `mash-test.commits-${randomUUID()}`;
    const groupId = `mash-test.commits-${randomUUID()}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const consumer = kafka().consumer({ groupId, maxWaitTimeInMs: 100 });
    consumers.push(consumer);
    let commits = 0;
    consumer.on(consumer.events.COMMIT_OFFSETS, () => (commits += 1));
    let taken = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      ...(autoCommitInterval === undefined ? {} : { autoCommitInterval }),
      eachMessage: async () => {
        taken += 1;
      },
    });
    for (let i = 1; i <= n; i++) {
      await producer.send({ topic, messages: [{ value: `m${i}`, partition: i % 3 }] });
      await eventually(async () => (taken === i ? true : undefined));
    }
    // Messages taken, by the offsets committed on each partition.
    const committed = async () => {
      const [{ partitions }] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const offsets = partitions.map((p) => Number(p.offset)).filter((o) => o >= 0);
      return offsets.length === 0 ? -1 : offsets.reduce((a, b) => a + b, 0);
    };
    return { consumer, commits: () => commits, committed };
  }

  it('commits nothing within the interval, and what was processed on a clean stop', async () => {
    expect(KAFKA_RUN_SETTINGS.autoCommitInterval).toBeGreaterThan(0);
    // An interval longer than the test: nothing is committed while the messages flow.
    const { commits, committed, consumer } = await consumed(8, 60_000);
    expect(commits()).toBe(0);
    expect(await committed()).toBe(-1);
    await consumer.disconnect();
    expect(commits()).toBe(1);
    expect(await committed()).toBe(8);
  });

  it('commits what the interval held back on an idle fetch, once for all its partitions', async () => {
    const { commits, committed } = await consumed(1, 2_000);
    await eventually(async () => ((await committed()) === 1 ? true : undefined), 10_000);
    // The three partitions' idle fetches end together: one commit between them, then none.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(commits()).toBe(1);
  });

  it('without an interval, commits after every batch as kafkajs always did', async () => {
    const { commits, committed } = await consumed(4, undefined);
    await eventually(async () => (commits() === 4 ? true : undefined));
    expect(await committed()).toBe(4);
  });
});
