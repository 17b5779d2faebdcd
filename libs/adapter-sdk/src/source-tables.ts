import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/*
 * Tables every example source keeps beside its own records: the outcomes the MASH fed back, and
 * the matching index and model. Each agency's migrations create them; the entities live here once.
 */

@Entity({ name: 'mash_outcome' })
export class MashOutcomeEntity {
  @PrimaryColumn('varchar', { name: 'outcome_id', length: 100 })
  outcomeId!: string;

  @Column('varchar', { name: 'case_ref', length: 100 })
  caseRef!: string;

  @Column('varchar', { name: 'subject_ref', length: 100, nullable: true })
  subjectRef!: string | null;

  @Column('varchar', { length: 40 })
  outcome!: string;

  @Column('timestamptz', { name: 'decided_at' })
  decidedAt!: Date;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt!: Date;
}

/**
 * Blocking keys of every record (`blockingKeys` of `@mash/matching`), written by the seed and
 * read by the connector: candidates come from this index, never from a scan. The primary key
 * (key, subject_ref) is the btree the lookup walks.
 */
@Entity({ name: 'match_key' })
export class MatchKeyEntity {
  @PrimaryColumn('text')
  key!: string;

  @PrimaryColumn('text', { name: 'subject_ref' })
  subjectRef!: string;
}

/** The matching model fitted to this source (JSON of `MatchModel`: probabilities, no personal data). */
@Entity({ name: 'match_model' })
export class MatchModelEntity {
  @PrimaryColumn('varchar', { length: 40 })
  id!: string;

  @Column('jsonb')
  model!: object;

  @Column('timestamptz', { name: 'fitted_at' })
  fittedAt!: Date;
}

export const SharedSourceEntities = [MashOutcomeEntity, MatchKeyEntity, MatchModelEntity];
