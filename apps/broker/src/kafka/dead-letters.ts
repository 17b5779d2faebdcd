import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RawKafkaMessage } from '@mash/common';
import { Headers, Topics } from '@mash/contracts';
import { BrokerMetrics } from '../ops/broker-metrics';
import { KafkaProducer } from './kafka.producer';

export type RawMessage = RawKafkaMessage;

/** Malformed messages go to `<topic>.dlq` with the reason in a header; the consumer carries on. */
@Injectable()
export class DeadLetters {
  constructor(
    private readonly producer: KafkaProducer,
    private readonly metrics: BrokerMetrics,
  ) {}

  async send(message: RawMessage, reason: string): Promise<void> {
    this.metrics.deadLettered.inc({ topic: message.topic });
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) headers[k] = v;
    headers[Headers.dlqReason] = reason;
    headers[Headers.dlqSourceTopic] = message.topic;
    await this.producer.send({
      topic: Topics.deadLetter(message.topic),
      key: headers[Headers.correlationId] ?? randomUUID(),
      value: message.value?.toString('utf8') ?? '',
      headers,
    });
  }
}
