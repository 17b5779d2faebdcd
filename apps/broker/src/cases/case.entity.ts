import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CaseStatus = 'open' | 'signposted' | 'closed';
export type Rag = 'red' | 'amber' | 'green';

/** A MASH case opened from a referral. The subject's details are stored encrypted. */
@Entity({ name: 'mash_case' })
@Index(['partnership', 'status', 'dueAt'])
export class CaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  status!: CaseStatus;

  /** Envelope-encrypted JSON of the referral's subject. */
  @Column({ name: 'subject_sealed', type: 'text' })
  subjectSealed!: string;

  /** Envelope-encrypted free text. */
  @Column({ name: 'narrative_sealed', type: 'text', nullable: true })
  narrativeSealed!: string | null;

  @Column({ name: 'referrer_agency', type: 'text' })
  referrerAgency!: string;

  @Column({ name: 'referrer_name_sealed', type: 'text', nullable: true })
  referrerNameSealed!: string | null;

  @Column({ type: 'text', array: true })
  concerns!: string[];

  @Column({ type: 'int' })
  level!: number;

  @Column({ type: 'text' })
  rag!: Rag;

  @Column({ name: 'threshold_version', type: 'int' })
  thresholdVersion!: number;

  @Column({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ name: 'due_at', type: 'timestamptz', nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'signpost_reason', type: 'text', nullable: true })
  signpostReason!: string | null;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;

  @Column({ name: 'deadline_notified_at', type: 'timestamptz', nullable: true })
  deadlineNotifiedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
