import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { brokerError } from '../common/errors';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { BrokerLoad } from './broker-load';
import { QueryEventRepository, type AgencyAnswers } from './query-event.repository';

/** How old the last in-flight read may be for `precheck` to refuse on it. */
export const PRECHECK_FRESH_MS = 250;

/** An agency's place in flight at the last read: its count and the limit its rate gave. */
interface Seen {
  inFlight: number;
  limit: number;
  rate: number;
  at: number;
}

/**
 * Admission control (issue 15): a query the federation cannot answer within its deadline is
 * refused at once (`QUERY.OVERLOADED`, 503 with `Retry-After`) rather than accepted and timed out.
 *
 * For each agency to be asked, the requests in flight (sent, not answered) are read from the
 * database, so every broker instance counts the same ones. By Little's law what is in flight drains
 * at the agency's recent answer rate (the lower of its rates over the last
 * QUERY_ADMISSION_WINDOW_SECONDS and the last QUERY_ADMISSION_RECENT_SECONDS), so a request joining
 * it is answered within the deadline while in flight < rate × deadline ×
 * QUERY_ADMISSION_DEADLINE_SHARE (the rest of the deadline is the margin for the rate falling
 * meanwhile): that is the agency's limit, never below QUERY_ADMISSION_MIN_IN_FLIGHT (a quiet
 * federation has no recent rate but takes a burst) nor above QUERY_ADMISSION_MAX_IN_FLIGHT. Red
 * cases may use the whole limit; amber and green ones leave QUERY_ADMISSION_RED_RESERVE of it free,
 * so they are refused first.
 *
 * The broker itself is the other queue (`BrokerLoad`): each instance refuses at once, before any
 * database work, when more query creations are under way in it than
 * QUERY_ADMISSION_MAX_CONCURRENT, and refuses amber and green cases when creations overlap while
 * its event loop has been busier than QUERY_ADMISSION_MAX_BUSY (a saturated broker would accept
 * them and time them out). Red cases keep the same reserve of the concurrency limit and are not
 * refused for a busy loop. A single creation is never refused for a busy loop: an instance
 * starting up is busy, and one request alone queues behind nothing.
 *
 * In flight is read for every query; the answer rates, whose read grows with the rate (every
 * answer of the window), at most once a QUERY_ADMISSION_RATE_REFRESH_MS per instance and agency,
 * shared by the creations that ask meanwhile. A rate a second old moves the limit by what a second
 * adds to a 5 s and a 30 s window.
 *
 * Far beyond saturation most refusals are an agency's, and each paid for reading the household,
 * consent and agreements and deciding policy before `admit` refused it. `precheck` refuses once
 * the case's rating is known when every agency the query could ask was full at the last in-flight
 * read (at most PRECHECK_FRESH_MS ago): `admit` would refuse whichever of them policy permitted.
 * It refuses nothing the last read did not show full, and `admit` checks what it lets by. (A query
 * policy would deny everywhere is refused too, where `admit` would let its denials be recorded:
 * under such load the caller can ask again a few seconds later.)
 *
 * The check and the insert are not one transaction: instances admitting at the same moment can
 * overshoot the limit by the requests in between. A shared lock would serialise every query in
 * the partnership, the cost this exists to avoid; the margin absorbs the overshoot.
 */
@Injectable()
export class AdmissionService {
  /** Each agency's last answer counts, with when they were read (`performance.now()`). */
  private readonly answers = new Map<string, AgencyAnswers & { readAt: number }>();
  /** Reads under way, by agency: a creation asking meanwhile waits for the same one. */
  private readonly reading = new Map<string, Promise<void>>();
  /** Each agency as the last `admit` found it (`precheck`). */
  private readonly seen = new Map<string, Seen>();

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly events: QueryEventRepository,
    private readonly metrics: BrokerMetrics,
    private readonly load: BrokerLoad,
  ) {}

  /**
   * Takes a place among this instance's query creations, before the case is read, or refuses at
   * once when every place is taken. Call the returned function when the creation ends.
   */
  enter(): () => void {
    this.door();
    return this.load.begin();
  }

  /** Refuses at once when every place for a creation is taken (`queryDoor`, `enter`). */
  door(): void {
    if (this.load.inProgress() >= this.config.admission.maxConcurrent)
      this.refuseBusy('red', 'broker-full');
  }

  /** Throws `QUERY.OVERLOADED` when any of `agencies` cannot take a request for a case so rated. */
  async admit(rag: string, agencies: string[]): Promise<void> {
    this.checkBroker(rag);
    if (agencies.length === 0) return;
    const { maxInFlight, minInFlight, windowSeconds, recentSeconds, deadlineShare } =
      this.config.admission;
    const deadlineSeconds = this.config.queryTimeoutMs / 1000;
    const asked = [...new Set(agencies)];
    const [inFlightNow, answers] = await Promise.all([
      this.events.inFlight(asked),
      this.answerCounts(asked, windowSeconds, recentSeconds),
    ]);
    const at = performance.now();
    const seen = asked.map((agency) => {
      const { answered, answeredRecently } = answers.get(agency) ?? {
        answered: 0,
        answeredRecently: 0,
      };
      // The lower of the window's rate and its recent part's: when a saturated machine slows,
      // what is admitted follows within seconds, not after a whole window of the old rate.
      const rate = Math.min(answered / windowSeconds, answeredRecently / recentSeconds);
      const limit = Math.min(
        maxInFlight,
        Math.max(minInFlight, Math.floor(rate * deadlineSeconds * deadlineShare)),
      );
      const entry = { inFlight: inFlightNow.get(agency) ?? 0, limit, rate, at };
      this.seen.set(agency, entry);
      return [agency, entry] as const;
    });
    this.refuseFull(rag, seen, 'any');
  }

  /**
   * Refuses, before the household, consent and agreements are read, when every agency of
   * `agencies` (those the query could ask) was full for a case so rated at the last in-flight read.
   */
  precheck(rag: string, agencies: readonly string[]): void {
    this.checkBroker(rag);
    const now = performance.now();
    const seen: Array<readonly [string, Seen]> = [];
    for (const agency of new Set(agencies)) {
      const entry = this.seen.get(agency);
      if (!entry || now - entry.at > PRECHECK_FRESH_MS) return;
      seen.push([agency, entry]);
    }
    // Only when all are full: one with room might be the only one policy permits.
    this.refuseFull(rag, seen, 'all');
  }

  /** Refuses when `any` (or `all`) of `seen` are full for a case so rated. */
  private refuseFull(
    rag: string,
    seen: ReadonlyArray<readonly [string, Seen]>,
    when: 'any' | 'all',
  ): void {
    const { redReserve } = this.config.admission;
    const deadlineSeconds = this.config.queryTimeoutMs / 1000;
    const full: string[] = [];
    let retryAfter = 1;
    for (const [agency, { inFlight, limit, rate }] of seen) {
      const allowed = rag === 'red' ? limit : Math.floor(limit * (1 - redReserve));
      if (inFlight < allowed) continue;
      full.push(agency);
      // Time for the excess to drain at the recent rate; with no recent answer, one deadline
      // (by then every request in flight has been answered or timed out).
      const drain = rate > 0 ? (inFlight - allowed + 1) / rate : deadlineSeconds;
      retryAfter = Math.max(retryAfter, Math.ceil(Math.min(drain, deadlineSeconds)));
    }
    if (full.length === 0 || (when === 'all' && full.length < seen.length)) return;
    this.metrics.queriesRefused.inc({ rag, reason: 'agency-capacity' });
    throw brokerError(
      'QUERY.OVERLOADED',
      `the federation cannot answer a query within its deadline now (${full.join(', ')} at capacity${rag === 'red' ? '' : '; red cases are still admitted'}); try again in ${retryAfter} s`,
      { agencies: full, retryAfterSeconds: retryAfter },
    );
  }

  /**
   * Every agency's known answer counts, once those of `agencies` older than `rateRefreshMs` have
   * been read again (a successful read names each agency it was asked for).
   */
  private async answerCounts(
    agencies: string[],
    windowSeconds: number,
    recentSeconds: number,
  ): Promise<ReadonlyMap<string, AgencyAnswers>> {
    const now = performance.now();
    const stale = agencies.filter((a) => {
      const known = this.answers.get(a);
      return (
        !this.reading.has(a) &&
        (!known || now - known.readAt >= this.config.admission.rateRefreshMs)
      );
    });
    if (stale.length > 0) {
      const read = this.events.answered(stale, windowSeconds, recentSeconds).then((counts) => {
        const readAt = performance.now();
        for (const [agency, c] of counts) this.answers.set(agency, { ...c, readAt });
      });
      const done = read.finally(() => {
        for (const a of stale) if (this.reading.get(a) === done) this.reading.delete(a);
      });
      for (const a of stale) this.reading.set(a, done);
    }
    await Promise.all(agencies.map((a) => this.reading.get(a)));
    return this.answers;
  }

  /** The broker's own bounds for a case so rated, counting the creation that asks (`enter` first). */
  private checkBroker(rag: string): void {
    const { maxConcurrent, maxBusy, redReserve } = this.config.admission;
    const red = rag === 'red';
    const allowed = red ? maxConcurrent : Math.max(1, Math.floor(maxConcurrent * (1 - redReserve)));
    const creating = this.load.inProgress();
    if (creating > allowed) this.refuseBusy(rag, 'broker-full');
    if (!red && creating > 1 && this.load.busy() > maxBusy) this.refuseBusy(rag, 'broker-busy');
  }

  private refuseBusy(rag: string, reason: 'broker-full' | 'broker-busy'): never {
    this.metrics.queriesRefused.inc({ rag, reason });
    throw brokerError(
      'QUERY.OVERLOADED',
      `the broker is busy with other queries now${rag === 'red' ? '' : '; red cases are still admitted'}; try again in 1 s`,
      { agencies: [], retryAfterSeconds: 1 },
    );
  }
}
