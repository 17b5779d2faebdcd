import { Clock } from '@mash/common';
import { Injectable } from '@nestjs/common';
import type { Decision } from '@mash/policy';
import { compareQueued, releaseTimes } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { ThresholdService } from '../thresholds/threshold.service';
import type { Tx } from '../common/transactions';
import { CapacityQueueEntity } from './capacity.entity';
import { CapacityRepository } from './capacity.repository';

/** A slot of an agency's hourly capacity taken for one request; `id` null where there is no limit. */
export interface CapacitySlot {
  id: string | null;
}

/**
 * How many queries each agency accepts per rolling hour (the partnership's matrix,
 * `capacity.<agency>.queriesPerHour`; no entry means no limit). The slots taken are rows in
 * PostgreSQL (`capacity_slot`), taken under a per-agency lock, so every broker instance counts
 * against one limit and a restart forgets nothing.
 */
@Injectable()
export class CapacityService {
  constructor(
    private readonly queue: CapacityRepository,
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
   * The agencies a new request may go to now, of `agencies`. Not one whose hour's capacity is
   * used or for which requests are already waiting (a new one must not jump the queue); each
   * admitted agency with a limit gives the request a slot. One round trip for them all.
   */
  async admit(partnership: string, agencies: readonly string[]): Promise<Set<string>> {
    const now = this.clock.now();
    const admitted = new Set<string>();
    const limits = new Map<string, number>();
    for (const agency of agencies) {
      const limit = this.limit(partnership, agency, now);
      if (limit === undefined) admitted.add(agency);
      else limits.set(agency, limit);
    }
    for (const [agency, id] of await this.queue.takeSlots(partnership, limits, now, true))
      if (id !== null) admitted.add(agency);
    return admitted;
  }

  /**
   * Takes a slot if one is free in the hour ending at the capacity clock's now; null if none is
   * (or, `behindQueue`, if requests are waiting for the agency). The slot travels with its
   * request, so the one given back is that request's own.
   */
  async take(
    partnership: string,
    agency: string,
    { behindQueue = false } = {},
  ): Promise<CapacitySlot | null> {
    const now = this.clock.now();
    const limit = this.limit(partnership, agency, now);
    if (limit === undefined) return { id: null };
    const id = await this.queue.takeSlot(partnership, agency, limit, now, behindQueue);
    return id === null ? null : { id };
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
    const window = await this.queue.slotsSince(partnership, agency, now);
    const times = releaseTimes(window, limit, now, index + 1);
    return { position: index + 1, expectedReleaseAt: times[index].toISOString() };
  }

  /** Returns the slot taken for a request that could not be sent after all. */
  async giveBack(slot: CapacitySlot): Promise<void> {
    if (slot.id !== null) await this.queue.releaseSlot(slot.id);
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
