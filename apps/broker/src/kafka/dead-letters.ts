import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { RawKafkaMessage } from '@mash/common';
import type { z } from 'zod';
import { deadLetterRecord, parseMessage, type Agency } from '@mash/contracts';
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

  /**
   * An agency's message about something the broker sent it (an outcome's or a meeting action's
   * acknowledgement): valid against its schema and on the agency's own topic, or dead-lettered
   * (then null). Kafka ACLs keep each agency to its topics, so the topic names the sender.
   */
  async fromAgency<T extends { agency: string }>(
    schema: z.ZodType<T>,
    topicAgency: Agency,
    message: RawMessage,
  ): Promise<T | null> {
    const parsed = parseMessage(schema, message.value);
    if (!parsed.ok) {
      await this.send(message, parsed.reason);
      return null;
    }
    if (parsed.value.agency !== topicAgency) {
      await this.send(message, 'acknowledgement on another agency topic');
      return null;
    }
    return parsed.value;
  }
}
