import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per agency audit event the broker has recorded, keyed by the SHA-256 of the agency's
 * signature (the signed content carries no id of its own), so a replayed event is refused.
 */
@Entity({ name: 'agency_event_receipt' })
export class AgencyEventReceiptEntity {
  @PrimaryColumn({ name: 'signed_hash', type: 'text' })
  signedHash!: string;

  /** The envelope that brought it first: the same id again is Kafka redelivering, another a replay. */
  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  agency!: string;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}
