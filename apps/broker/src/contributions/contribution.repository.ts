import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ContributionEntity } from './contribution.entity';

/** Contributions, always within one partnership and case. */
@Injectable()
export class ContributionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: ContributionEntity, tx: EntityManager): Promise<void> {
    await tx.getRepository(ContributionEntity).insert(row);
  }

  /** Oldest first; only `agency`'s when given (a representative's view). */
  async forCase(
    partnership: string,
    caseId: string,
    agency?: string,
  ): Promise<ContributionEntity[]> {
    return this.dataSource.getRepository(ContributionEntity).find({
      where: { partnership, caseId, ...(agency ? { agency } : {}) },
      order: { contributedAt: 'ASC', id: 'ASC' },
    });
  }
}
