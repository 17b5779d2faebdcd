import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Rag } from './case.entity';

/** Every change of a case's RAG rating, with the rationale (sealed) and the deadline it set. */
@Entity({ name: 'case_rating_change' })
@Index(['partnership', 'caseId', 'changedAt'])
export class CaseRatingChangeEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'from_rag', type: 'text' })
  fromRag!: Rag;

  @Column({ name: 'to_rag', type: 'text' })
  toRag!: Rag;

  @Column({ name: 'from_due_at', type: 'timestamptz', nullable: true })
  fromDueAt!: Date | null;

  @Column({ name: 'to_due_at', type: 'timestamptz', nullable: true })
  toDueAt!: Date | null;

  /** Envelope-encrypted: free text may mention the family. Null once the case's data is deleted. */
  @Column({ name: 'rationale_sealed', type: 'text', nullable: true })
  rationaleSealed!: string | null;

  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_role', type: 'text' })
  changedRole!: string;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
