import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AgencyEventReceiptEntity } from './agency-event-receipt.entity';

export type Receipt = Pick<
  AgencyEventReceiptEntity,
  'signedHash' | 'messageId' | 'partnership' | 'agency'
>;
export type Claim = 'fresh' | 'redelivered' | 'replayed';

@Injectable()
export class AgencyEventReceiptRepository {
  /**
   * `fresh` the first time a signature is seen; `redelivered` when the same message comes again
   * (Kafka is at-least-once); `replayed` when another message carries it. In the caller's transaction.
   */
  async claim(receipt: Receipt, tx: EntityManager): Promise<Claim> {
    const [claim] = await this.claimMany([receipt], tx);
    return claim;
  }

  /**
   * `claim` for a batch in two statements, one answer per receipt in order. Within the batch the
   * first receipt of a signature is the one claimed; a later one with the same message id is a
   * redelivery, with another id a replay, exactly as if they had come one at a time.
   */
  async claimMany(receipts: readonly Receipt[], tx: EntityManager): Promise<Claim[]> {
    if (receipts.length === 0) return [];
    const inserted = (await tx.query(
      `INSERT INTO agency_event_receipt (signed_hash, message_id, partnership, agency)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::text[], $4::text[])
       ON CONFLICT (signed_hash) DO NOTHING
       RETURNING signed_hash, message_id::text AS message_id`,
      [
        receipts.map((r) => r.signedHash),
        receipts.map((r) => r.messageId),
        receipts.map((r) => r.partnership),
        receipts.map((r) => r.agency),
      ],
    )) as Array<{ signed_hash: string; message_id: string }>;
    const fresh = new Set(inserted.map((r) => `${r.signed_hash} ${r.message_id}`));
    const others = receipts.filter((r) => !fresh.has(`${r.signedHash} ${r.messageId}`));
    const firstBy = new Map<string, string>();
    if (others.length > 0) {
      const rows = (await tx.query(
        `SELECT signed_hash, message_id::text AS message_id FROM agency_event_receipt
          WHERE signed_hash = ANY($1::text[])`,
        [[...new Set(others.map((r) => r.signedHash))]],
      )) as Array<{ signed_hash: string; message_id: string }>;
      for (const r of rows) firstBy.set(r.signed_hash, r.message_id);
    }
    const claimed = new Set<string>();
    return receipts.map((r) => {
      const id = `${r.signedHash} ${r.messageId}`;
      // The same message twice in one batch: the first is fresh, the second a redelivery.
      if (fresh.has(id) && !claimed.has(r.signedHash)) {
        claimed.add(r.signedHash);
        return 'fresh';
      }
      const first = fresh.has(id) ? r.messageId : firstBy.get(r.signedHash);
      return first === r.messageId ? 'redelivered' : 'replayed';
    });
  }
}
