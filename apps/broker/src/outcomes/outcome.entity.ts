import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const OUTCOMES = [
  'nfa',
  'early-help',
  's17-assessment',
  's47-strategy',
  'police-action',
  'other',
] as const;
export type OutcomeType = (typeof OUTCOMES)[number];

/** The MASH decision on a case. Its id is the `outcomeId` agencies record it under. */
@Entity({ name: 'case_outcome' })
@Index(['partnership', 'caseId', 'decidedAt'])
export class CaseOutcomeEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  outcome!: OutcomeType;

  /** Envelope-encrypted; null once the case's data is deleted. Never sent to agencies. */
  @Column({ name: 'rationale_sealed', type: 'text', nullable: true })
  rationaleSealed!: string | null;

  @Column({ name: 'decided_by', type: 'text' })
  decidedBy!: string;

  @Column({ name: 'decided_role', type: 'text' })
  decidedRole!: string;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;

  @Column({ name: 'closed_case', type: 'boolean' })
  closedCase!: boolean;
}

export type DeliveryStatus = 'pending' | 'delivered';

/** One agency's copy of an outcome: pending until the agency acknowledges it. */
@Entity({ name: 'case_outcome_delivery' })
@Index(['status', 'nextAttemptAt'])
export class OutcomeDeliveryEntity {
  @PrimaryColumn({ name: 'outcome_id', type: 'uuid' })
  outcomeId!: string;

  @PrimaryColumn({ type: 'text' })
  agency!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  /** Why the agency receives it: it answered with a match, referred the case, or both. */
  @Column({ type: 'text', array: true })
  roles!: string[];

  @Column({ type: 'text' })
  status!: DeliveryStatus;

  /** Times the message was put in the outbox. */
  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_sent_at', type: 'timestamptz', nullable: true })
  lastSentAt!: Date | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  /** Why the last attempt could not be enqueued (a code, e.g. the agency's keys were unreachable). */
  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
