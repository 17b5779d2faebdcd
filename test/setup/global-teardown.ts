import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default async function globalTeardown(): Promise<void> {
  if (process.env.MASH_TEST_STARTED_KAFKA === '1') {
    execFileSync('bash', [resolve(__dirname, '../../deploy/kafka/kafka.sh'), 'stop'], {
      stdio: 'inherit',
    });
  }
}
