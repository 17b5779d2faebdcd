import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Tx } from '../common/transactions';
import { TransparencyWithholdingEntity } from './withholding.entity';

/** Items a manager withheld from a case's transparency report. */
@Injectable()
export class WithholdingRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  forCase(partnership: string, caseId: string): Promise<TransparencyWithholdingEntity[]> {
    return this.dataSource
      .getRepository(TransparencyWithholdingEntity)
      .find({ where: { partnership, caseId }, order: { withheldAt: 'ASC' } });
  }

  /** Withholding the same item again replaces the reason (the latest manager's decision stands). */
  async upsert(row: TransparencyWithholdingEntity, tx: Tx): Promise<void> {
    await tx
      .getRepository(TransparencyWithholdingEntity)
      .createQueryBuilder()
      .insert()
      .values(row)
      .orUpdate(['reason_sealed', 'withheld_by', 'withheld_at'], ['partnership', 'case_id', 'item'])
      .execute();
  }
}
