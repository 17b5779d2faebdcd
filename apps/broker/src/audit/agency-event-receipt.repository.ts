import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AgencyEventReceiptEntity } from './agency-event-receipt.entity';

@Injectable()
export class AgencyEventReceiptRepository {
  /** True the first time a signed event is seen; false for a replay. In the caller's transaction. */
  async claim(
    receipt: Pick<AgencyEventReceiptEntity, 'signedHash' | 'partnership' | 'agency'>,
    tx: EntityManager,
  ): Promise<boolean> {
    const result = await tx
      .createQueryBuilder()
      .insert()
      .into(AgencyEventReceiptEntity)
      .values(receipt)
      .orIgnore()
      .execute();
    return (result.raw as unknown[]).length > 0;
  }
}
