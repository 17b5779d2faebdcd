import { PinnedClock } from '@mash/common';

/**
 * The day every test lives on. The seed's population (ages, school years, which child a test
 * picks) is generated as of TEST_AS_OF, and the broker's calendar (deadlines, capacity hours,
 * agreements in force, retention) starts at TEST_NOW and runs on in real time, so a test gives the
 * same answer whatever day and time zone it runs in. 1 December 2026 is a Tuesday: 10:00 GMT is
 * inside working hours.
 */
export const TEST_AS_OF = '2026-12-01';
export const TEST_NOW = '2026-12-01T10:00:00Z';

/** A broker calendar for tests: TEST_NOW, running on in real time. */
export function testClock(): PinnedClock {
  return new PinnedClock(TEST_NOW);
}

/**
 * The same calendar for several processes: TEST_NOW at the wall-clock instant `anchorMs`, however
 * far apart the processes started (each testClock() reads TEST_NOW at its own start).
 */
export function testClockAnchored(anchorMs: number): PinnedClock {
  return new PinnedClock(new Date(Date.parse(TEST_NOW) + Date.now() - anchorMs));
}
