import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { AgreementVersion } from '@mash/policy';

/**
 * One version of a data-sharing agreement. `content` and `hash` never change once written;
 * only the lifecycle (status, approvals) moves: draft -> pending-activation -> active -> suspended/expired.
 */
@Entity({ name: 'agreement_version' })
@Index(['partnership', 'agency'])
export class AgreementVersionEntity {
  @PrimaryColumn({ name: 'agreement_id', type: 'uuid' })
  agreementId!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  agency!: string;

  @Column({ type: 'text' })
  status!: 'draft' | 'active' | 'suspended' | 'expired';

  @Column({ type: 'jsonb' })
  content!: AgreementVersion;

  @Column({ type: 'text' })
  hash!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  /** The first agreement-admin who asked to activate; a different one must approve. */
  @Column({ name: 'activation_requested_by', type: 'text', nullable: true })
  activationRequestedBy!: string | null;

  @Column({ name: 'activated_by', type: 'text', nullable: true })
  activatedBy!: string | null;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;

  @Column({ name: 'suspended_at', type: 'timestamptz', nullable: true })
  suspendedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
