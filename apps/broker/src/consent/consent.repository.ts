import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../common/transactions';
import { ConsentDecisionEntity } from './consent.entity';

/** Consent decisions, always within one partnership. */
@Injectable()
export class ConsentRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(tx?: Tx) {
    return (tx ?? this.dataSource.manager).getRepository(ConsentDecisionEntity);
  }

  /** Newest first. */
  history(partnership: string, caseId: string): Promise<ConsentDecisionEntity[]> {
    return this.repo().find({ where: { partnership, caseId }, order: { decidedAt: 'DESC' } });
  }

  /** Every decision on the case, newest first: the positions of each person and agency. */
  decisions(partnership: string, caseId: string): Promise<ConsentDecisionEntity[]> {
    return this.repo().find({
      where: { partnership, caseId },
      order: { decidedAt: 'DESC', createdAt: 'DESC' },
    });
  }

  find(
    partnership: string,
    caseId: string,
    id: string,
    tx?: Tx,
  ): Promise<ConsentDecisionEntity | null> {
    return this.repo(tx).findOne({ where: { id, caseId, partnership } });
  }

  /** Decisions to proceed without consent that an analyst made and no manager has approved, oldest first. */
  awaitingApproval(partnership: string): Promise<ConsentDecisionEntity[]> {
    return this.repo()
      .createQueryBuilder('d')
      .where('d.partnership = :partnership', { partnership })
      .andWhere("d.status <> 'given'")
      .andWhere("d.decidedRole <> 'manager'")
      .andWhere('d.approvedBy IS NULL')
      .orderBy('d.decidedAt', 'ASC')
      .limit(200)
      .getMany();
  }

  async insert(row: ConsentDecisionEntity, tx?: Tx): Promise<void> {
    await this.repo(tx).insert(row);
  }

  async approve(id: string, approvedBy: string, approvedAt: Date, tx?: Tx): Promise<void> {
    await this.repo(tx).update({ id }, { approvedBy, approvedAt });
  }
}
