/**
 * Kafka transport security with the project's own connection settings (kafkaClientConfig):
 * against the local SASL/SCRAM broker with per-agency ACLs (deploy/kafka/kafka.sh --sasl), an
 * adapter reads its own request topic and nothing else, cannot write requests, and a wrong
 * password does not get in. Starts that broker when it is not running, and stops only what it started.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig } from 'kafkajs';
import { ensureTopics, kafkaClientConfig } from '@mash/common';
import { DEFAULT_TOPIC_NAMESPACE, topicsIn } from '@mash/contracts';
import { ROOT } from '../support/federation';

const PORT = Number(process.env.KAFKA_SASL_PORT ?? 9094);
const SCRIPT = join(ROOT, 'deploy/kafka/kafka.sh');
const PASSWORDS = join(ROOT, '.local/kafka/scram-passwords.json');
// The SASL Kafka is a dedicated instance whose ACLs name the deployed (default) namespace.
const Topics = topicsIn(DEFAULT_TOPIC_NAMESPACE);
const OWN = Topics.queryRequested('police');
const OTHER = Topics.queryRequested('health');

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host: '127.0.0.1', port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

function config(username: string, password: string): KafkaConfig {
  const base = kafkaClientConfig(
    {
      KAFKA_BROKERS: `127.0.0.1:${PORT}`,
      KAFKA_SSL: 'false',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: password,
    },
    `sasl-test-${username}`,
  );
  // Authorisation failures are final; do not spend the test's time retrying them.
  return {
    ...base,
    logLevel: logLevel.NOTHING,
    retry: { retries: 1, initialRetryTime: 100 },
    connectionTimeout: 3000,
  };
}

/** Reads from the beginning of `topic` as `kafka` until `marker` arrives or the time runs out. */
async function readUntil(
  kafka: Kafka,
  groupId: string,
  topic: string,
  marker: string,
  timeoutMs = 15_000,
): Promise<boolean> {
  const consumer = kafka.consumer({ groupId, allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    let found!: () => void;
    let failed!: (error: Error) => void;
    const seen = new Promise<void>((resolve, reject) => {
      found = resolve;
      failed = reject;
    });
    // Joining a group happens in the background: a refusal arrives as a crash, not a rejection.
    // Only a crash kafkajs does not restart is a refusal: on a Kafka just started, the first join
    // can meet the group coordinator still loading, which kafkajs retries.
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) failed(event.payload.error);
    });
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === marker) found();
      },
    });
    return await Promise.race([
      seen.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs)),
    ]);
  } finally {
    await consumer.disconnect();
  }
}

/** The whole chain of a kafkajs error (it wraps protocol errors in retriable-looking ones). */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    const chain: string[] = [];
    for (
      let e: unknown = error;
      e instanceof Error;
      e = (e as { originalError?: unknown; cause?: unknown }).originalError ?? e.cause
    ) {
      chain.push(`${e.message} ${(e as { type?: string }).type ?? ''}`);
    }
    return chain.join(' <- ');
  }
  return 'allowed';
}

describe('Kafka with SASL/SCRAM and per-agency ACLs', () => {
  let startedHere = false;
  let passwords: Record<string, string>;

  beforeAll(async () => {
    if (!(await answers(PORT))) {
      process.stderr.write('\nstarting the local SASL/SCRAM Kafka...\n');
      execFileSync('bash', [SCRIPT, '--sasl', 'start'], {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 90_000,
      });
      startedHere = true;
    }
    passwords = JSON.parse(readFileSync(PASSWORDS, 'utf8')) as Record<string, string>;
    // Adapters cannot create topics; the broker's principal does.
    await ensureTopics(config('broker', passwords.broker), [OWN, OTHER]);
  }, 120_000);

  afterAll(() => {
    if (startedHere)
      execFileSync('bash', [SCRIPT, '--sasl', 'stop'], {
        stdio: ['ignore', 'inherit', 'inherit'],
        timeout: 60_000,
      });
  });

  async function publishAsBroker(topic: string): Promise<string> {
    const marker = randomUUID();
    const producer = new Kafka(config('broker', passwords.broker)).producer({
      allowAutoTopicCreation: false,
    });
    await producer.connect();
    try {
      await producer.send({ topic, messages: [{ key: marker, value: '{}' }] });
    } finally {
      await producer.disconnect();
    }
    return marker;
  }

  it("lets adapter-police read its own request topic with the project's connection settings", async () => {
    const marker = await publishAsBroker(OWN);
    const police = new Kafka(config('adapter-police', passwords['adapter-police']));
    expect(await readUntil(police, `adapter-police-test-${randomUUID()}`, OWN, marker)).toBe(true);
  }, 30_000);

  it("refuses adapter-police the health request topic, the health adapter's group, and writing requests", async () => {
    await publishAsBroker(OTHER);
    const police = new Kafka(config('adapter-police', passwords['adapter-police']));
    expect(
      await refusal(
        readUntil(police, `adapter-police-test-${randomUUID()}`, OTHER, 'never', 5_000),
      ),
    ).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    // kafkajs reports a refused group only as "coordinator not found"; the reason is in its debug log.
    const log: string[] = [];
    const watched = new Kafka({
      ...config('adapter-police', passwords['adapter-police']),
      logLevel: logLevel.DEBUG,
      logCreator: () => (entry) => void log.push(JSON.stringify(entry.log)),
    });
    expect(
      await refusal(readUntil(watched, `adapter-health-${randomUUID()}`, OWN, 'never', 5_000)),
    ).toMatch(/group coordinator/);
    expect(log.join('\n')).toMatch(/GROUP_AUTHORIZATION_FAILED/);

    const producer = police.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      expect(
        await refusal(
          producer.send({ topic: OWN, messages: [{ key: randomUUID(), value: '{}' }] }),
        ),
      ).toMatch(/TOPIC_AUTHORIZATION_FAILED/);
    } finally {
      await producer.disconnect();
    }
  }, 30_000);

  it('refuses a wrong password', async () => {
    const intruder = new Kafka(
      config('adapter-police', `${passwords['adapter-police']}-wrong`),
    ).producer();
    await expect(intruder.connect()).rejects.toThrow(/SASL|authentic/i);
  }, 30_000);
});
