import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Blocking keys and the fitted model for probabilistic lookup of subjects (issue 7). */
export class HealthMatchKey1795737600000 implements MigrationInterface {
  name = 'HealthMatchKey1795737600000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "match_key" ("key" text NOT NULL, "subject_ref" text NOT NULL, CONSTRAINT "PK_e6ace19c636de72fcb9a947f0b0" PRIMARY KEY ("key", "subject_ref"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "match_model" ("id" character varying(40) NOT NULL, "model" jsonb NOT NULL, "fitted_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_d15297c1926cd160115bdf8f5d7" PRIMARY KEY ("id"))`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "match_model"`);
    await queryRunner.query(`DROP TABLE "match_key"`);
  }
}
