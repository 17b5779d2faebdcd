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
   * Sends records together: one produce request per Kafka node rather than one per record.
   * All or nothing as far as the caller knows: a failure rejects, and the caller sends again.
   */
  async sendMany(records: readonly KafkaRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.connect();
    const byTopic = new Map<string, KafkaRecord[]>();
    for (const r of records) {
      const same = byTopic.get(r.topic);
      if (same) same.push(r);
      else byTopic.set(r.topic, [r]);
    }
    await this.client.producer.sendBatch({
      topicMessages: [...byTopic].map(([topic, rs]) => ({
        topic,
        messages: rs.map(({ key, value, headers }) => ({ key, value, headers })),
      })),
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }
}
