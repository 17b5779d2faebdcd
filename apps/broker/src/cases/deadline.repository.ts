import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../common/transactions';
import { CaseEntity, type Rag } from './case.entity';

/** Open cases counted by RAG and by whether their deadline has passed. */
export interface OpenCaseCount {
  rag: Rag;
  overdue: boolean;
  n: number;
}

/** What the deadline job reads and marks on cases, across partnerships. */
@Injectable()
export class DeadlineRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Open cases due by `horizon` whose deadline was never announced, soonest first, locked;
   * cases another instance holds are skipped.
   */
  unannounced(horizon: Date, limit: number, tx: Tx): Promise<CaseEntity[]> {
    return tx
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where(
        "c.status = 'open' AND c.due_at IS NOT NULL AND c.deadline_notified_at IS NULL AND c.due_at <= :horizon",
        { horizon },
      )
      .orderBy('c.due_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async markAnnounced(ids: string[], at: Date, tx: Tx): Promise<void> {
    await tx
      .getRepository(CaseEntity)
      .createQueryBuilder()
      .update()
      .set({ deadlineNotifiedAt: at })
      .where('id IN (:...ids)', { ids })
      .execute();
  }

  /** Open cases by RAG and whether their deadline is before `now`. */
  openCounts(now: Date): Promise<OpenCaseCount[]> {
    return this.dataSource.query(
      `SELECT rag, (due_at IS NOT NULL AND due_at < $1) AS overdue, count(*)::int AS n
         FROM mash_case WHERE status = 'open' GROUP BY 1, 2`,
      [now],
    ) as Promise<OpenCaseCount[]>;
  }
}
