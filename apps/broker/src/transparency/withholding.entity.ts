import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A manager's decision to leave an item out of the family's transparency report because telling
 * would put the child at risk. `item` is `agency:<agency>`, `category:<agency>:<category>`,
 * `section:referral`, `section:consent` or `section:decision`.
 */
@Entity({ name: 'transparency_withholding' })
@Index(['partnership', 'caseId', 'item'], { unique: true })
export class TransparencyWithholdingEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  item!: string;

  /** Envelope-encrypted; null once the case's data is deleted. */
  @Column({ name: 'reason_sealed', type: 'text', nullable: true })
  reasonSealed!: string | null;

  @Column({ name: 'withheld_by', type: 'text' })
  withheldBy!: string;

  @Column({ name: 'withheld_at', type: 'timestamptz' })
  withheldAt!: Date;
}
