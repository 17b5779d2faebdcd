import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';

/** Every consent decision on a case is kept; the latest one in force governs sharing. */
@Entity({ name: 'consent_decision' })
@Index(['partnership', 'caseId', 'decidedAt'])
export class ConsentDecisionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  status!: 'given' | 'refused' | 'not-sought';

  /** Whose consent: a `case_member` id. Null on decisions recorded before households: the subject's. */
  @Column({ name: 'member_id', type: 'uuid', nullable: true })
  memberId!: string | null;

  /** Which agencies the decision covers; null covers every agency. */
  @Column({ type: 'text', array: true, nullable: true })
  agencies!: string[] | null;

  /** Who gave or refused it: the person, or someone with parental responsibility for a child. */
  @Column({ name: 'given_by', type: 'text', nullable: true })
  givenBy!: string | null;

  /** Whether the purpose of sharing was explained and understood; null when not recorded. */
  @Column({ type: 'boolean', nullable: true })
  understood!: boolean | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  /** Envelope-encrypted: free text may mention the family. Null once the case's data is deleted. */
  @Column({ name: 'justification_sealed', type: 'text', nullable: true })
  justificationSealed!: string | null;

  @Column({ name: 'decided_by', type: 'text' })
  decidedBy!: string;

  @Column({ name: 'decided_role', type: 'text' })
  decidedRole!: string;

  @Column({ name: 'decided_at', type: 'timestamptz' })
  decidedAt!: Date;

  @Column({ name: 'approved_by', type: 'text', nullable: true })
  approvedBy!: string | null;

  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true })
  approvedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
