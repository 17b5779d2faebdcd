/**
 * The partnership's calendar: what day and hour it is for deadlines, capacity hours, retention,
 * agreements in force and reports. Injected so a test can run on a pinned date (and so the answer
 * never depends on the day a test runs). Transport timing (token lifetimes, Kafka, the outbox, the
 * audit log's own timestamps) stays on the system clock.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/**
 * A clock that starts at a pinned instant and runs on with real time, so timeouts and retries
 * behave as in production while the date is the same on every run. `advance` moves it forward
 * (a test that needs the next capacity hour, or a retention period to pass).
 */
export class PinnedClock extends Clock {
  private offsetMs: number;

  constructor(
    start: Date | string,
    private readonly realNow: () => number = Date.now,
  ) {
    super();
    this.offsetMs = new Date(start).getTime() - realNow();
  }

  now(): Date {
    return new Date(this.realNow() + this.offsetMs);
  }

  advance(ms: number): void {
    this.offsetMs += ms;
  }
}
