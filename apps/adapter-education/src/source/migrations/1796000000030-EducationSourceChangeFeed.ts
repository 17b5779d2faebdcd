import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropAdapterStateFromSource } from '@mash/adapter-sdk';

/**
 * The source keeps only the agency's own records: the adapter's index, model, outcomes, ledger and
 * inbox move to the adapter's own database. A last-changed time on the identity rows (set on
 * insert by default, on update by a trigger) is the change feed the adapter's match index follows.
 */
export class EducationSourceChangeFeed1796000000030 implements MigrationInterface {
  name = 'EducationSourceChangeFeed1796000000030';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await dropAdapterStateFromSource(queryRunner);
    await queryRunner.query(
      `ALTER TABLE "pupil" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_pupil_updated_at" ON "pupil" ("updated_at")`);
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION mash_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "pupil_updated_at" BEFORE UPDATE ON "pupil" FOR EACH ROW EXECUTE FUNCTION mash_set_updated_at()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "pupil_updated_at" ON "pupil"`);
    await queryRunner.query(`ALTER TABLE "pupil" DROP COLUMN "updated_at"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS mash_set_updated_at()`);
  }
}
