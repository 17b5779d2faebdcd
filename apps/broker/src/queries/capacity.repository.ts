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

/** Requests waiting for an agency's capacity (`capacity_queue`). */
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

  async hasWaiting(partnership: string, agency: string): Promise<boolean> {
    return (await this.repo().count({ where: { partnership, agency } })) > 0;
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
}
