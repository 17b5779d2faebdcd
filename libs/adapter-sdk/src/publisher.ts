import { lastValueFrom } from 'rxjs';
import type { ClientKafka } from '@nestjs/microservices';

export interface OutgoingMessage {
  key: string;
  value: string;
  headers: Record<string, string>;
}

/** The one thing the SDK needs from Kafka on the way out. */
export interface Publisher {
  publish(topic: string, message: OutgoingMessage): Promise<void>;
}

export class ClientKafkaPublisher implements Publisher {
  constructor(private readonly client: ClientKafka) {}

  async publish(topic: string, message: OutgoingMessage): Promise<void> {
    await lastValueFrom(this.client.emit(topic, message));
  }
}
