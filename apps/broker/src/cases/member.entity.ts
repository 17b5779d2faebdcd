import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Relationship } from '@mash/contracts';

/**
 * A person on a case: the child referred (`relationship: 'subject'`) and every other member of
 * the household (siblings, parents, carers, a parent's partner, other adults and children in the
 * home). The details are envelope-encrypted as the case's subject is; the keyed pseudonym lets
 * the audit log find what was done about the person without decrypting anything.
 */
@Entity({ name: 'case_member' })
@Index(['partnership', 'caseId'])
@Index(['partnership', 'pseudonym'])
export class CaseMemberEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  relationship!: Relationship;

  /** Envelope-encrypted JSON of the person's details (`MemberDetails`); null once purged. */
  @Column({ name: 'details_sealed', type: 'text', nullable: true })
  detailsSealed!: string | null;

  /** Keyed pseudonym of the person (name and date of birth). Kept after the details are deleted. */
  @Column({ type: 'text', nullable: true })
  pseudonym!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;
}
