import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { ClientKafka } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { kafkaClientConfig } from '@mash/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';

export interface KafkaRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The broker's producer: NestJS ClientKafka in producer-only mode (events, never request/reply). */
@Injectable()
export class KafkaProducer implements OnApplicationShutdown {
  readonly client: ClientKafka;
  private connected: Promise<unknown> | undefined;

  constructor(@Inject(BROKER_CONFIG) config: BrokerConfig) {
    this.client = new ClientKafka({
      client: kafkaClientConfig(config.kafka, 'broker-producer'),
      producerOnlyMode: true,
      producer: { allowAutoTopicCreation: true },
    });
  }

  async connect(): Promise<void> {
    this.connected ??= this.client.connect();
    await this.connected;
  }

  async send(record: KafkaRecord): Promise<void> {
    await this.connect();
    await lastValueFrom(
      this.client.emit(record.topic, {
        key: record.key,
        value: record.value,
        headers: record.headers,
      }),
    );
  }

  /**
   * Sends records together, all in flight at once; a failure rejects, and the caller sends them
   * all again (consumers dedupe). One `send` of one record each, not one `sendBatch`: when a
   * partition's leader moves while a batch is sent, kafkajs (2.2) retries only the Kafka nodes that
   * have not answered yet, so the records of a partition that moved to a node which had already
   * answered are dropped while the batch reports success. The cluster drill lost requests that
   * way (a Kafka node killed while the outbox relayed). A lone record goes to one node, and its
   * retry follows the partition's new leader.
   */
  async sendMany(records: readonly KafkaRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    await Promise.all(
      records.map(({ topic, key, value, headers }) =>
        this.client.producer.send({ topic, messages: [{ key, value, headers }] }),
      ),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
