/**
 * Integration tests run against the real Kafka and the real PostgreSQL. When KAFKA_BROKERS is
 * unset this starts the project's local single-node Kafka (and the teardown stops it again).
 */
import { execFileSync } from 'node:child_process';
import { createConnection } from 'node:net';
import { resolve } from 'node:path';
import { databaseAnswers } from '@mash/common';

const ROOT = resolve(__dirname, '../..');

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createConnection({ host, port, timeout: 1000 });
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

export default async function globalSetup(): Promise<void> {
  // Also here, for anything the setup itself spawns: see test/setup/namespace.ts.
  process.env.KAFKA_TOPIC_NAMESPACE ??= 'mash-test';
  const databaseUrl =
    process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!(await databaseAnswers(databaseUrl))) {
    throw new Error(
      `PostgreSQL does not answer at ${new URL(databaseUrl).host}; start it (see README) or set TEST_DATABASE_URL`,
    );
  }
  if (!process.env.KAFKA_BROKERS) {
    const alreadyUp = await portAnswers('127.0.0.1', 9092);
    if (!alreadyUp) {
      process.stderr.write('\nstarting local Kafka for the integration tests...\n');
      execFileSync('bash', [resolve(ROOT, 'deploy/kafka/kafka.sh'), 'start'], { stdio: 'inherit' });
      process.env.MASH_TEST_STARTED_KAFKA = '1';
    }
    process.env.KAFKA_BROKERS = '127.0.0.1:9092';
  }
}
