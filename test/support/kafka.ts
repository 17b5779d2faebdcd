import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Consumer, type IHeaders } from 'kafkajs';

export interface Captured {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

function brokers(): string[] {
  return (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
}

export function kafka(): Kafka {
  return new Kafka({
    clientId: `test-${randomUUID().slice(0, 8)}`,
    brokers: brokers(),
    logLevel: logLevel.NOTHING,
  });
}

/** Publishes raw bytes, as any client with write access to the topic could. */
export async function publishRaw(
  topic: string,
  value: string,
  headers: IHeaders = {},
  key: string = randomUUID(),
): Promise<void> {
  const producer = kafka().producer({ allowAutoTopicCreation: true });
  await producer.connect();
  try {
    await producer.send({ topic, messages: [{ key, value, headers }] });
  } finally {
    await producer.disconnect();
  }
}

/** Collects what arrives on a topic from now on (a fresh consumer group reading from the latest offset). */
export class TopicRecorder {
  readonly messages: Captured[] = [];
  private consumer: Consumer | undefined;

  constructor(private readonly topic: string) {}

  async start(): Promise<this> {
    // A 1 s idle fetch, as the services use, so stop() does not wait out kafkajs's 5 s one.
    this.consumer = kafka().consumer({
      groupId: `test-recorder-${randomUUID()}`,
      maxWaitTimeInMs: 1_000,
    });
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: false });
    let ready!: () => void;
    const joined = new Promise<void>((r) => (ready = r));
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => ready());
    await this.consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {}))
          if (v !== undefined) headers[k] = String(v);
        this.messages.push({
          key: message.key?.toString() ?? null,
          value: message.value?.toString() ?? '',
          headers,
        });
      },
    });
    await joined;
    return this;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
