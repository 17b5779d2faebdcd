/**
 * The broker as its own process (for tests that kill it), on the tests' pinned calendar rather
 * than the system clock, so that what it decides does not depend on the day the test runs.
 * With TEST_CLOCK_ANCHOR_MS (a wall-clock instant), several broker processes share one calendar.
 * With TEST_START_GATE (a file path), the process loads (and compiles) the broker at once but
 * starts it only once that file exists, so a test can overlap the loading with its own setup.
 */
import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { createBrokerApp } from '../../apps/broker/src/app';
import { testClock, testClockAnchored } from './clock';

async function main(): Promise<void> {
  const gate = process.env.TEST_START_GATE;
  while (gate && !existsSync(gate)) await new Promise((r) => setTimeout(r, 100));
  const anchor = process.env.TEST_CLOCK_ANCHOR_MS;
  await createBrokerApp(process.env, {
    clock: anchor ? testClockAnchored(Number(anchor)) : testClock(),
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `broker failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
