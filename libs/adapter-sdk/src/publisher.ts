import { lastValueFrom } from 'rxjs';
import type { ClientKafka } from '@nestjs/microservices';
import { SpanKind, inSpan, injectTraceContext } from '@mash/tracing';

export interface OutgoingMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The one thing the SDK needs from Kafka on the way out. */
export interface Publisher {
  publish(topic: string, message: OutgoingMessage): Promise<void>;
  /** Several messages to one topic in one produce request; all sent when it resolves. */
  publishAll(topic: string, messages: OutgoingMessage[]): Promise<void>;
}

export class ClientKafkaPublisher implements Publisher {
  constructor(private readonly client: ClientKafka) {}

  /** Sends with the current trace context in the headers, so the broker continues the trace. */
  async publish(topic: string, message: OutgoingMessage): Promise<void> {
    await this.publishAll(topic, [message]);
  }

  async publishAll(topic: string, messages: OutgoingMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await inSpan(
      `${topic} publish`,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.destination.name': topic,
          ...(messages.length > 1 ? { 'messaging.batch.message_count': messages.length } : {}),
        },
      },
      () =>
        lastValueFrom(
          this.client.emitBatch(topic, {
            messages: messages.map((m) => ({
              ...m,
              headers: injectTraceContext({ ...m.headers }),
            })),
          }),
          { defaultValue: undefined },
        ),
    );
  }
}
