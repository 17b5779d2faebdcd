import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { z } from 'zod';

export const KafkaEnvSchema = z.object({
  KAFKA_BROKERS: z.string().default('127.0.0.1:9092'),
  KAFKA_SSL: z.enum(['true', 'false']).default('false'),
  KAFKA_SSL_CA_FILE: z.string().optional(),
  KAFKA_SASL_MECHANISM: z.enum(['scram-sha-256', 'scram-sha-512', 'plain']).optional(),
  KAFKA_SASL_USERNAME: z.string().optional(),
  KAFKA_SASL_PASSWORD: z.string().optional(),
  /** Partitions of the topics every query crosses (see `isWideTopic`); 1 for the others. */
  KAFKA_TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(64).default(6),
});
export type KafkaEnv = z.infer<typeof KafkaEnvSchema>;

/** kafkajs client settings from the environment: TLS and SASL/SCRAM when configured. */
export function kafkaClientConfig(
  env: Omit<KafkaEnv, 'KAFKA_TOPIC_PARTITIONS'>,
  clientId: string,
): KafkaConfig {
  let sasl: SASLOptions | undefined;
  if (env.KAFKA_SASL_MECHANISM) {
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
      throw new Error(
        'KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM',
      );
    }
    sasl = {
      mechanism: env.KAFKA_SASL_MECHANISM,
      username: env.KAFKA_SASL_USERNAME,
      password: env.KAFKA_SASL_PASSWORD,
    } as SASLOptions;
  }
  return {
    clientId,
    brokers: env.KAFKA_BROKERS.split(',').map((b) => b.trim()),
    ssl: env.KAFKA_SSL === 'true' ? true : undefined,
    sasl,
    logLevel: logLevel.WARN,
    // Recovery after a Kafka restart (issue 15): retry every 100 ms growing to at most 1 s, so a
    // client notices within a second of Kafka being back rather than after an exponential wait
    // (the default reaches 12.8 s by the seventh try); ~60 tries cover a minute's outage for
    // producers and admin requests (consumers keep kafkajs's 5: KAFKA_CONSUMER_SETTINGS).
    retry: { retries: 60, initialRetryTime: 100, maxRetryTime: 1_000, multiplier: 2 },
    connectionTimeout: 3_000,
  };
}

/**
 * Consumer settings for the broker and the adapters. A 10 s session and rebalance timeout is how
 * long a member may take to finish the batch in hand and rejoin in any rebalance; a heartbeat
 * every second notices a lost coordinator quickly. An idle fetch waits at most a second for
 * records (kafkajs's default is 5 s): a stopping consumer waits out the fetch in hand, so each
 * disconnect took up to 5 s, which slowed every restart and rolling deploy (and every test
 * federation's stop) by 5-10 s; a record that arrives still ends the wait at once.
 *
 * Consumers keep kafkajs's own retry budget (5 tries, about 2.5 s here), then restart. Giving them
 * the client's minute kept their group membership through a single node's restart (the first
 * answer 3 s after Kafka was back instead of 9 s: the restarted coordinator otherwise waits the
 * rebalance timeout for the old member), but when a node of a cluster dies for good a consumer
 * fetching from it retries against the dead leader without learning the new one (only its restart
 * reads the metadata again): the cluster drill's broker stopped applying answers for a minute.
 * Instead, the old member of a consumer that crashed leaves the group (`superviseConsumer`), so
 * the restarted coordinator need not wait for it.
 */
export const KAFKA_CONSUMER_SETTINGS = {
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 1_000,
  maxWaitTimeInMs: 1_000,
} as const;

/**
 * `consumer.run` settings of every consumer that commits its offsets: at most once a second.
 * Unpatched kafkajs commits after every batch whatever this says, and under load most batches
 * hold one message, so a query's 20 records cost about 12 more on `__consumer_offsets`, each an
 * awaited round trip before its partition's next fetch. `patches/kafkajs+2.2.4.patch` makes the
 * end of a batch honour the interval, commits what it held back on the next idle fetch, and
 * commits everything processed on a clean stop. A crash redelivers up to a second of messages,
 * which every handler takes as a redelivery (receipts, the grant ledger, answers already stored).
 */
export const KAFKA_RUN_SETTINGS = {
  autoCommitInterval: 1_000,
} as const;

/**
 * Creates topics that do not exist yet (and their dead-letter topics): `partitionsOf(topic)`
 * partitions each, replicated on up to three of the cluster's nodes (one on a single-node Kafka,
 * three on `kafka.sh cluster`, whose min.insync.replicas of 2 a topic of one replica could never
 * meet), or `replicas` when given (refused while fewer nodes are up). A topic that exists with
 * fewer partitions than that is widened (Kafka can add partitions, never remove them), so an
 * upgrade spreads the hot topics without recreating them.
 * In Kubernetes the topics come from Strimzi `KafkaTopic`s instead, with partitions and
 * replication from the values.
 * Returns the topics it could not check or widen (another instance may have widened them first).
 */
export async function ensureTopics(
  config: KafkaConfig,
  topics: string[],
  partitionsOf: (topic: string) => number = () => 1,
  replicas?: number,
): Promise<string[]> {
  const admin = new Kafka(config).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) {
      const replicationFactor =
        replicas ?? Math.max(1, Math.min(3, (await admin.describeCluster()).brokers.length));
      await admin
        .createTopics({
          waitForLeaders: true,
          // Leaders for a first start's partitions (six on each hot topic) can take longer than
          // kafkajs's 5 s on a busy machine; waiting longer beats failing the start.
          timeout: 30_000,
          topics: missing.map((topic) => ({
            topic,
            numPartitions: partitionsOf(topic),
            replicationFactor,
          })),
        })
        .catch(async (error: unknown) => {
          // kafkajs waits out LEADER_NOT_AVAILABLE only; a KRaft broker not yet told of the
          // topics it just made answers UNKNOWN_TOPIC_OR_PARTITION: wait for their leaders here.
          if ((error as { type?: string }).type !== 'UNKNOWN_TOPIC_OR_PARTITION') throw error;
          await waitForLeaders(admin, missing, 30_000);
        });
    }
    const present = topics.filter((t) => existing.has(t) && partitionsOf(t) > 1);
    if (present.length === 0) return [];
    // Best effort: a client whose ACLs do not allow altering topics (an adapter on a secured
    // cluster) leaves it to the broker or the platform, and says which topics stay narrow.
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: present });
      const narrow = metadata.filter((t) => t.partitions.length < partitionsOf(t.name));
      if (narrow.length > 0)
        await admin.createPartitions({
          topicPartitions: narrow.map((t) => ({ topic: t.name, count: partitionsOf(t.name) })),
        });
      return [];
    } catch {
      return present;
    }
  } finally {
    await admin.disconnect();
  }
}

/** Until every partition of `topics` has a leader, or `timeoutMs` passes (then it throws). */
async function waitForLeaders(
  admin: ReturnType<Kafka['admin']>,
  topics: string[],
  timeoutMs: number,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (
        found.length === topics.length &&
        found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))
      )
        return;
    } catch (error) {
      if (Date.now() > until) throw error;
    }
    if (Date.now() > until) throw new Error(`topic leaders not elected within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A consumed message as raw bytes and string headers, whatever the transport's parser did. */
export interface RawKafkaMessage {
  topic: string;
  value: Buffer | null;
  headers: Record<string, string | undefined>;
}

interface KafkaContextLike {
  getMessage(): { value: unknown; headers?: Record<string, unknown> };
  getTopic(): string;
}

export function rawMessageOf(context: KafkaContextLike): RawKafkaMessage {
  const raw = context.getMessage();
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(raw.headers ?? {})) {
    headers[k] =
      v === undefined || v === null
        ? undefined
        : Buffer.isBuffer(v)
          ? v.toString('utf8')
          : String(v);
  }
  const value = raw.value;
  return {
    topic: context.getTopic(),
    value:
      value === null || value === undefined
        ? null
        : Buffer.isBuffer(value)
          ? value
          : Buffer.from(String(value)),
    headers,
  };
}
