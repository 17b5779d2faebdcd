import { Clock } from '@mash/common';
import { Injectable } from '@nestjs/common';
import type { Decision } from '@mash/policy';
import { capacityAvailable, compareQueued, releaseTimes } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { ThresholdService } from '../thresholds/threshold.service';
import type { Tx } from '../common/transactions';
import { CapacityQueueEntity } from './capacity.entity';
import { CapacityRepository } from './capacity.repository';
import { QueryRepository } from './query.repository';

const WINDOW_MS = 60 * 60 * 1000;

/**
 * How many queries each agency accepts per rolling hour (the partnership's matrix,
 * `capacity.<agency>.queriesPerHour`; no entry means no limit). Send times are held in memory,
 * seeded from the dispatch times stored in the database when first needed, so a restart does not
 * forget the last hour. One broker instance sends; several would each need a share of the limit.
 */
@Injectable()
export class CapacityService {
  private readonly windows = new Map<string, Date[]>();

  constructor(
    private readonly queue: CapacityRepository,
    private readonly queries: QueryRepository,
    private readonly thresholds: ThresholdService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  limit(partnership: string, agency: string, at = this.clock.now()): number | undefined {
    const capacity = this.thresholds.matrixFor(partnership, at).capacity as Partial<
      Record<string, { queriesPerHour: number }>
    >;
    return capacity[agency]?.queriesPerHour;
  }

  /**
   * Whether a new request to `agency` may go now. No, if the hour's capacity is used or if
   * requests are already waiting (a new one must not jump the queue); yes takes a slot.
   */
  async admit(partnership: string, agency: string): Promise<boolean> {
    if (this.limit(partnership, agency) === undefined) return true;
    if (await this.hasQueued(partnership, agency)) return false;
    await this.seed(partnership, agency);
    return this.take(partnership, agency);
  }

  /** Takes a slot if there is one at the capacity clock's now (synchronous: no interleaving). */
  take(partnership: string, agency: string): boolean {
    const now = this.clock.now();
    const limit = this.limit(partnership, agency, now);
    if (limit === undefined) return true;
    const key = `${partnership}\u0000${agency}`;
    const window = (this.windows.get(key) ?? []).filter(
      (d) => d.getTime() > now.getTime() - WINDOW_MS,
    );
    this.windows.set(key, window);
    if (!capacityAvailable(window, limit, now)) return false;
    window.push(now);
    return true;
  }

  /** Loads the last hour's dispatch times for this agency, once per process. */
  async seed(partnership: string, agency: string): Promise<void> {
    const key = `${partnership}\u0000${agency}`;
    if (this.windows.has(key)) return;
    const times = await this.queries.dispatchedSince(
      partnership,
      agency,
      new Date(this.clock.now().getTime() - WINDOW_MS),
    );
    if (!this.windows.has(key)) this.windows.set(key, times);
  }

  /**
   * Where a waiting request stands: its place in the agency's queue (1 = next) and when it is
   * expected to go, if the agency stays reachable and nothing is re-rated. Null when not waiting.
   */
  async placeInQueue(
    partnership: string,
    agency: string,
    queryId: string,
  ): Promise<{ position: number; expectedReleaseAt: string | null } | null> {
    const rows = await this.queue.withCases(partnership, agency);
    // The releaser's order (CapacityReleaseJob.waiting): the case's current rating and deadline.
    const order = rows
      .map((r) => ({
        id: r.id,
        rag: (r.rag ?? 'green') as 'red' | 'amber' | 'green',
        dueAt: r.dueAt ?? new Date(8.64e15),
        enqueuedAt: r.enqueuedAt,
      }))
      .sort(compareQueued);
    const index = order.findIndex((r) => r.id === queryId);
    if (index < 0) return null;
    const now = this.clock.now();
    const limit = this.limit(partnership, agency, now);
    if (limit === undefined) return { position: index + 1, expectedReleaseAt: now.toISOString() };
    await this.seed(partnership, agency);
    const window = this.windows.get(`${partnership}\u0000${agency}`) ?? [];
    const times = releaseTimes(window, limit, now, index + 1);
    return { position: index + 1, expectedReleaseAt: times[index].toISOString() };
  }

  /** Returns a slot taken for a request that could not be sent after all. */
  giveBack(partnership: string, agency: string): void {
    this.windows.get(`${partnership}\u0000${agency}`)?.pop();
  }

  async hasQueued(partnership: string, agency: string): Promise<boolean> {
    return this.queue.hasWaiting(partnership, agency);
  }

  entry(
    queryId: string,
    caseId: string,
    partnership: string,
    decision: Decision,
    now: Date,
  ): CapacityQueueEntity {
    return Object.assign(new CapacityQueueEntity(), {
      queryId,
      agency: decision.agency,
      partnership,
      caseId,
      decision,
      enqueuedAt: now,
    });
  }

  /** Stores waiting requests in the caller's transaction (with the query's parts), audited. */
  async enqueue(tx: Tx, entries: CapacityQueueEntity[]): Promise<void> {
    if (entries.length === 0) return;
    await this.queue.insert(entries, tx);
    await this.audit.record(
      entries.map((e) => ({
        partnership: e.partnership,
        actorType: 'service' as const,
        actorId: 'broker',
        action: 'query.queued',
        outcome: 'success' as const,
        caseId: e.caseId,
        queryId: e.queryId,
        agency: e.agency,
        details: {
          reason: 'agency capacity reached',
          queriesPerHour: this.limit(e.partnership, e.agency) ?? null,
        },
      })),
      tx,
    );
  }
}
