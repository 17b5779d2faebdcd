import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AgencyEventReceiptEntity } from './agency-event-receipt.entity';

@Injectable()
export class AgencyEventReceiptRepository {
  /**
   * `fresh` the first time a signature is seen; `redelivered` when the same message comes again
   * (Kafka is at-least-once); `replayed` when another message carries it. In the caller's transaction.
   */
  async claim(
    receipt: Pick<AgencyEventReceiptEntity, 'signedHash' | 'messageId' | 'partnership' | 'agency'>,
    tx: EntityManager,
  ): Promise<'fresh' | 'redelivered' | 'replayed'> {
    const result = await tx
      .createQueryBuilder()
      .insert()
      .into(AgencyEventReceiptEntity)
      .values(receipt)
      .orIgnore()
      .execute();
    if ((result.raw as unknown[]).length > 0) return 'fresh';
    const first = await tx
      .getRepository(AgencyEventReceiptEntity)
      .findOneBy({ signedHash: receipt.signedHash });
    return first?.messageId === receipt.messageId ? 'redelivered' : 'replayed';
  }
}
