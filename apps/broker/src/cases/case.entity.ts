import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export type CaseStatus = 'open' | 'signposted' | 'closed';
export type Rag = 'red' | 'amber' | 'green';

/** A MASH case opened from a referral. The subject's details are stored encrypted. */
@Entity({ name: 'mash_case' })
@Index(['partnership', 'status', 'dueAt'])
@Index(['partnership', 'subjectPseudonym'])
export class CaseEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  status!: CaseStatus;

  /** Envelope-encrypted JSON of the referral's subject. */
  @Column({ name: 'subject_sealed', type: 'text', nullable: true })
  subjectSealed!: string | null;

  /**
   * Keyed pseudonym of the subject (name and date of birth), so a re-referral of the same child
   * can be counted without decrypting anything. Kept after the subject is deleted.
   */
  @Column({ name: 'subject_pseudonym', type: 'text', nullable: true })
  subjectPseudonym!: string | null;

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

  /** When the results and personal data held for a closed case are deleted. */
  @Column({ name: 'retain_until', type: 'timestamptz', nullable: true })
  retainUntil!: Date | null;

  @Column({ name: 'purged_at', type: 'timestamptz', nullable: true })
  purgedAt!: Date | null;

  /** What kinds of information each agency shared, kept (labels only) when the records are deleted. */
  @Column({ name: 'shared_categories', type: 'jsonb', nullable: true })
  sharedCategories!: Record<string, string[]> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
