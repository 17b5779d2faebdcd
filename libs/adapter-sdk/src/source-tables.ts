import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryColumn,
  type MigrationInterface,
  type QueryRunner,
} from 'typeorm';

/*
 * The adapter's own state beside the ledger and inbox (`ledger.ts`): the outcomes the MASH fed
 * back (when the agency takes them from the adapter's store), and the matching index and model.
 * They live in the adapter's own database, never in the agency's source system, which the adapter
 * reads with read-only credentials (docs/sources.md).
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
 * Blocking keys of every source record (`blockingKeys` of `@mash/matching`), kept up to date by
 * the `MatchIndexer` from the source's change feed (the seed writes a first copy): candidates come
 * from this index, never from a scan. The primary key (key, subject_ref) is the btree the lookup
 * walks.
 */
@Entity({ name: 'match_key' })
export class MatchKeyEntity {
  @PrimaryColumn('text')
  key!: string;

  @Index('IDX_match_key_subject_ref')
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

/** How far the match index has read the source's change feed (one row per source). */
@Entity({ name: 'match_index_state' })
export class MatchIndexStateEntity {
  @PrimaryColumn('varchar', { length: 40 })
  id!: string;

  /** The newest change time indexed; the next pass reads changes from (a little before) here. */
  @Column('timestamptz', { name: 'changed_up_to' })
  changedUpTo!: Date;

  @Column('timestamptz', { name: 'indexed_at' })
  indexedAt!: Date;
}

export class AdapterStore1796000000000 implements MigrationInterface {
  name = 'AdapterStore1796000000000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "mash_outcome" ("outcome_id" character varying(100) NOT NULL, "case_ref" character varying(100) NOT NULL, "subject_ref" character varying(100), "outcome" character varying(40) NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_483900b055fdd925a0cb1dc3b06" PRIMARY KEY ("outcome_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "match_key" ("key" text NOT NULL, "subject_ref" text NOT NULL, CONSTRAINT "PK_e6ace19c636de72fcb9a947f0b0" PRIMARY KEY ("key", "subject_ref"))`,
    );
    // Re-indexing one record deletes its keys by ref.
    await queryRunner.query(
      `CREATE INDEX "IDX_match_key_subject_ref" ON "match_key" ("subject_ref")`,
    );
    await queryRunner.query(
      `CREATE TABLE "match_model" ("id" character varying(40) NOT NULL, "model" jsonb NOT NULL, "fitted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_d15297c1926cd160115bdf8f5d7" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "match_index_state" ("id" character varying(40) NOT NULL, "changed_up_to" TIMESTAMP WITH TIME ZONE NOT NULL, "indexed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_match_index_state" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "match_index_state"`);
    await queryRunner.query(`DROP TABLE "match_model"`);
    await queryRunner.query(`DROP TABLE "match_key"`);
    await queryRunner.query(`DROP TABLE "mash_outcome"`);
  }
}

/**
 * For the example sources' migrations: removes the adapter's tables that earlier versions kept in
 * the source database (they now live in the adapter's own store).
 */
export async function dropAdapterStateFromSource(queryRunner: QueryRunner): Promise<void> {
  for (const table of [
    'match_index_state',
    'match_model',
    'match_key',
    'mash_outcome',
    'sdk_outcome_inbox',
    'sdk_action_inbox',
    'sdk_grant_ledger',
  ])
    await queryRunner.query(`DROP TABLE IF EXISTS "${table}"`);
}

/** Every table the SDK keeps in the adapter's store; none of them belongs in a source database. */
export const ADAPTER_STORE_TABLES = [
  'sdk_grant_ledger',
  'sdk_outcome_inbox',
  'sdk_action_inbox',
  'mash_outcome',
  'match_key',
  'match_model',
  'match_index_state',
] as const;
