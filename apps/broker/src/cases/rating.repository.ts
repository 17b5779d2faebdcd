import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../common/transactions';
import { CaseRatingChangeEntity } from './rating.entity';

/** The history of each case's RAG rating. */
@Injectable()
export class RatingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(tx?: Tx) {
    return (tx ?? this.dataSource.manager).getRepository(CaseRatingChangeEntity);
  }

  /** Oldest first. */
  history(partnership: string, caseId: string): Promise<CaseRatingChangeEntity[]> {
    return this.repo().find({ where: { partnership, caseId }, order: { changedAt: 'ASC' } });
  }

  async insert(change: CaseRatingChangeEntity, tx?: Tx): Promise<void> {
    await this.repo(tx).insert(change);
  }
}
