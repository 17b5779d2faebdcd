import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../common/transactions';
import { CapacityQueueEntity } from './capacity.entity';

/** A waiting request with what orders it: its case's current rating and deadline. */
export interface QueuedOrder {
  id: string;
  enqueuedAt: Date;
  rag: string | null;
  dueAt: Date | null;
}

const HOUR = `interval '1 hour'`;

/**
 * Requests waiting for an agency's capacity (`capacity_queue`), and the slots each request sent
 * within the rolling hour took (`capacity_slot`).
 */
@Injectable()
export class CapacityRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(tx?: Tx) {
    return (tx ?? this.dataSource.manager).getRepository(CapacityQueueEntity);
  }

  async insert(entries: CapacityQueueEntity[], tx: Tx): Promise<void> {
    if (entries.length > 0) await this.repo(tx).insert(entries);
  }

  waiting(partnership: string, agency: string): Promise<CapacityQueueEntity[]> {
    return this.repo().find({ where: { partnership, agency } });
  }

  /** Every partnership and agency with a request waiting. */
  async queues(): Promise<Array<{ partnership: string; agency: string }>> {
    return (await this.dataSource.query(
      `SELECT DISTINCT partnership, agency FROM capacity_queue`,
    )) as Array<{ partnership: string; agency: string }>;
  }

  /** One agency's waiting requests with their cases' current rating and deadline, unordered. */
  async withCases(partnership: string, agency: string): Promise<QueuedOrder[]> {
    const rows = (await this.dataSource.query(
      `SELECT q.query_id::text AS id, q.enqueued_at, c.rag, c.due_at
         FROM capacity_queue q LEFT JOIN mash_case c ON c.partnership = q.partnership AND c.id = q.case_id
        WHERE q.partnership = $1 AND q.agency = $2`,
      [partnership, agency],
    )) as Array<{ id: string; enqueued_at: Date; rag: string | null; due_at: Date | null }>;
    return rows.map((r) => ({
      id: r.id,
      enqueuedAt: new Date(r.enqueued_at),
      rag: r.rag,
      dueAt: r.due_at ? new Date(r.due_at) : null,
    }));
  }

  async remove(queryId: string, agency: string, tx?: Tx): Promise<void> {
    await this.repo(tx).delete({ queryId, agency });
  }

  /**
   * Takes one of the agency's `limit` slots for the hour ending `now`, if one is free: one call to
   * `take_capacity_slot` (migrations CapacitySlotFunction, CapacitySlotBehindQueue, CapacityTally),
   * which takes a per-agency lock, prunes slots older than the hour and reads the agency's tally
   * after the lock, so two instances cannot both take the last slot; the lock ends with this one
   * statement, never held across a round trip. With `behindQueue`, none is taken while requests
   * wait for the agency (a new request must not jump them). Returns the slot's id, or null when
   * none was taken.
   */
  async takeSlot(
    partnership: string,
    agency: string,
    limit: number,
    now: Date,
    behindQueue = false,
  ): Promise<string | null> {
    const taken = await this.takeSlots(partnership, new Map([[agency, limit]]), now, behindQueue);
    return taken.get(agency) ?? null;
  }

  /**
   * `takeSlot` for several agencies of one partnership in one statement (a new query asks them
   * all at once): agency → slot id, or null where none was taken. The agencies are taken in
   * name order, so two statements taking overlapping agencies lock them in the same order.
   */
  async takeSlots(
    partnership: string,
    limits: ReadonlyMap<string, number>,
    now: Date,
    behindQueue = false,
  ): Promise<Map<string, string | null>> {
    const agencies = [...limits.keys()].sort();
    if (agencies.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT r.agency, take_capacity_slot($1, r.agency, r.lim, $4, $5)::text AS id
         FROM unnest($2::text[], $3::int[]) WITH ORDINALITY AS r(agency, lim, n)
        ORDER BY r.n`,
      [partnership, agencies, agencies.map((a) => limits.get(a)), now, behindQueue],
    )) as Array<{ agency: string; id: string | null }>;
    return new Map(rows.map((r) => [r.agency, r.id]));
  }

  /** Gives a slot back (its request could not be sent after all). */
  async releaseSlot(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM capacity_slot WHERE id = $1`, [id]);
  }

  /** When each slot still counting in the hour ending `now` was taken, oldest first. */
  async slotsSince(partnership: string, agency: string, now: Date): Promise<Date[]> {
    const rows = (await this.dataSource.query(
      `SELECT taken_at FROM capacity_slot
        WHERE partnership = $1 AND agency = $2 AND taken_at > $3::timestamptz - ${HOUR}
        ORDER BY taken_at`,
      [partnership, agency, now],
    )) as Array<{ taken_at: Date }>;
    return rows.map((r) => new Date(r.taken_at));
  }
}
