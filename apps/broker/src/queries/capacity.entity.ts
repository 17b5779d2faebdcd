import { Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { Decision } from '@mash/policy';

/**
 * An agency request waiting for capacity. The part in `federated_query_agency` is `queued`;
 * the request is built and its grant signed only when it is released, so the grant's lifetime
 * runs from dispatch. Rows survive a restart; a released row is deleted.
 */
@Entity({ name: 'capacity_queue' })
@Index(['partnership', 'agency', 'enqueuedAt'])
export class CapacityQueueEntity {
  @PrimaryColumn({ name: 'query_id', type: 'uuid' })
  queryId!: string;

  @PrimaryColumn({ type: 'text' })
  agency!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  /** The policy decision that permitted the request (no personal data): what the grant will carry. */
  @Column({ type: 'jsonb' })
  decision!: Decision;

  @Column({ name: 'enqueued_at', type: 'timestamptz' })
  enqueuedAt!: Date;
}

/**
 * One request sent to an agency within its rolling hour: the capacity every broker instance
 * counts against (taken and checked under one lock, so two instances cannot both take the last
 * slot). Rows older than the hour are pruned as new ones are taken.
 */
@Entity({ name: 'capacity_slot' })
@Index(['partnership', 'agency', 'takenAt'])
export class CapacitySlotEntity {
  @PrimaryGeneratedColumn('increment', { type: 'bigint' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  agency!: string;

  @Column({ name: 'taken_at', type: 'timestamptz' })
  takenAt!: Date;
}
