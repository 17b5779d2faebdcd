import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { ThresholdMatrix } from '@mash/thresholds';

/**
 * One version of a partnership's threshold matrix. `content` never changes once the version is
 * active (cases record the version they were rated under); a change is a new version. A draft
 * becomes active when a manager other than its drafter activates it, effective from a local date.
 */
@Entity({ name: 'threshold_version' })
export class ThresholdVersionEntity {
  @PrimaryColumn({ type: 'text' })
  partnership!: string;

  @PrimaryColumn({ type: 'int' })
  version!: number;

  @Column({ type: 'text' })
  status!: 'draft' | 'active';

  /** The validated matrix; its `effectiveFrom` equals `effective_from`. */
  @Column({ type: 'jsonb' })
  content!: ThresholdMatrix;

  /** SHA-256 of the canonical JSON of `content`: what exactly was drafted and activated. */
  @Column({ type: 'text' })
  hash!: string;

  /** Local date (the matrix's time zone, London by default) from which the version applies. */
  @Column({ name: 'effective_from', type: 'date' })
  effectiveFrom!: string;

  /** `api` for a drafted version, `file:<name>` for one seeded from `deploy/thresholds`. */
  @Column({ type: 'text' })
  source!: string;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'activated_by', type: 'text', nullable: true })
  activatedBy!: string | null;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt!: Date | null;
}

/** Whether a partnership lets other partnerships compare against its matrix in force (opt-in). */
@Entity({ name: 'threshold_publication' })
export class ThresholdPublicationEntity {
  @PrimaryColumn({ type: 'text' })
  partnership!: string;

  @Column({ type: 'boolean' })
  published!: boolean;

  @Column({ name: 'changed_by', type: 'text' })
  changedBy!: string;

  @Column({ name: 'changed_at', type: 'timestamptz' })
  changedAt!: Date;
}
