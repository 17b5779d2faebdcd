import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
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
}
