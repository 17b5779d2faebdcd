import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { Kafka, type Consumer, type KafkaMessage } from 'kafkajs';
import {
  KAFKA_CONSUMER_SETTINGS,
  KAFKA_RUN_SETTINGS,
  kafkaClientConfig,
  superviseConsumer,
  type RawKafkaMessage,
} from '@mash/common';
import { consumerGroup, Topics } from '@mash/contracts';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AgencyAuditHandler } from './agency-audit.handler';

/** Events recorded per transaction at most; a batch from Kafka is cut into chunks this size. */
const CHUNK = 200;

/**
 * Agency audit events, consumed in batches. Several arrive for every query (grant verified,
 * source searched, records released, from every agency asked), so recording them one message at a
 * time, as the broker's other consumers do, made them the federation's busiest lane of commits.
 * Each chunk is recorded in one transaction and its offsets resolved only after it commits
 * (and committed to Kafka at most once a second, `KAFKA_RUN_SETTINGS`); a
 * transient failure (the database down) leaves the offsets where they were, so Kafka delivers
 * the chunk again and the receipts turn what was already recorded into duplicates.
 *
 * Its own consumer group (`broker-audit`): kafkajs assigns a group's partitions without regard to
 * what each member subscribed to, so it cannot share the `broker` group with a different topic set.
 */
@Injectable()
export class AgencyAuditConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AgencyAudit');
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;
  private stopRestarts: (() => void) | undefined;
  private stopped = false;

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly handler: AgencyAuditHandler,
  ) {}

  /**
   * Joins the group in the background: the broker serves (and its other consumer joins) meanwhile,
   * and events that arrive before the join wait on the topic. A failed start is tried again.
   */
  onApplicationBootstrap(): void {
    this.starting = this.start().catch(async (error: unknown) => {
      await this.consumer?.disconnect().catch(() => undefined);
      if (this.stopped) return;
      this.logger.warn(`audit consumer did not start (${String(error)}); trying again in 5 s`);
      this.retry = setTimeout(() => this.onApplicationBootstrap(), 5_000);
    });
  }

  private async start(): Promise<void> {
    const kafka = new Kafka(kafkaClientConfig(this.config.kafka, 'broker-audit'));
    const consumer = kafka.consumer({
      groupId: consumerGroup('broker-audit'),
      allowAutoTopicCreation: false,
      ...KAFKA_CONSUMER_SETTINGS,
    });
    this.consumer = consumer;
    // A start tried again after a failure brings a new consumer: the old one is not restarted.
    this.stopRestarts?.();
    this.stopRestarts = superviseConsumer({
      consumer,
      client: kafka,
      start: () => this.run(consumer),
      warn: (message) => this.logger.warn(`audit ${message}`),
    });
    await consumer.connect();
    await this.run(consumer);
  }

  private async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topic: Topics.audit, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: 3,
      ...KAFKA_RUN_SETTINGS,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        for (let from = 0; from < batch.messages.length; from += CHUNK) {
          if (!isRunning() || isStale()) return;
          const chunk = batch.messages.slice(from, from + CHUNK);
          await this.handler.handleMany(chunk.map((m) => rawMessage(batch.topic, m)));
          resolveOffset(chunk[chunk.length - 1].offset);
          await heartbeat();
        }
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    this.stopRestarts?.();
    await this.starting;
    await this.consumer?.disconnect().catch((error: unknown) => {
      this.logger.warn(`audit consumer did not leave its group cleanly: ${String(error)}`);
    });
  }
}

function rawMessage(topic: string, message: KafkaMessage): RawKafkaMessage {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(message.headers ?? {}))
    headers[k] = v === undefined ? undefined : Array.isArray(v) ? String(v[0]) : v.toString();
  return { topic, value: message.value, headers };
}
