import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RawKafkaMessage } from '@mash/common';
import { deadLetterRecord } from '@mash/contracts';
import { BrokerMetrics } from '../metrics/broker-metrics';
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
    await this.producer.send(deadLetterRecord(message, reason, randomUUID));
  }
}
