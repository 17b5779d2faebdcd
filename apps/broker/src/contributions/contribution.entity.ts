import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const CONTRIBUTION_KINDS = [
  'professional-judgement',
  'soft-intelligence',
  'history',
] as const;
export type ContributionKind = (typeof CONTRIBUTION_KINDS)[number];
export const CONFIDENCE_LEVELS = ['low', 'medium', 'high'] as const;
export type ConfidenceLevel = (typeof CONFIDENCE_LEVELS)[number];

/**
 * What a person from an agency told the MASH about a case, for their agency: their professional
 * judgement, soft intelligence or history the adapter's lookup cannot give. The words are sealed
 * (envelope encryption) and deleted with the case's data; the basis they were shared on is kept.
 */
@Entity({ name: 'case_contribution' })
@Index(['partnership', 'caseId', 'contributedAt'])
export class ContributionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  /** The household member it is about; null for the child the case is about. */
  @Column({ name: 'member_id', type: 'uuid', nullable: true })
  memberId!: string | null;

  @Column({ type: 'text' })
  agency!: string;

  @Column({ type: 'text' })
  kind!: ContributionKind;

  /** Envelope-encrypted; null once the case's data is deleted. */
  @Column({ name: 'text_sealed', type: 'text', nullable: true })
  textSealed!: string | null;

  @Column({ type: 'text', nullable: true })
  confidence!: ConfidenceLevel | null;

  /** The purpose the agency was asked for, whose agreement governs the contribution. */
  @Column({ type: 'text' })
  purpose!: string;

  /** Agreement id, version and content hash in force when it was made. */
  @Column({ type: 'jsonb' })
  agreement!: { id: string; version: number; hash: string };

  @Column({ name: 'legal_gateways', type: 'jsonb' })
  legalGateways!: Array<{ code: string; label: string }>;

  @Column({ name: 'contributed_by', type: 'text' })
  contributedBy!: string;

  @Column({ name: 'contributed_at', type: 'timestamptz' })
  contributedAt!: Date;
}
