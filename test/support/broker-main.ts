/**
 * The broker as its own process (for tests that kill it), on the tests' pinned calendar rather
 * than the system clock, so that what it decides does not depend on the day the test runs.
 */
import 'reflect-metadata';
import { createBrokerApp } from '../../apps/broker/src/app';
import { testClock } from './clock';

createBrokerApp(process.env, { clock: testClock() }).catch((error: unknown) => {
  process.stderr.write(
    `broker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
