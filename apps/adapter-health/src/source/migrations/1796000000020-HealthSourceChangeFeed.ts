import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropAdapterStateFromSource } from '@mash/adapter-sdk';

/**
 * The source keeps only the agency's own records: the adapter's index, model, outcomes, ledger and
 * inbox move to the adapter's own database. A last-changed time on the identity rows (set on
 * insert by default, on update by a trigger) is the change feed the adapter's match index follows.
 */
export class HealthSourceChangeFeed1796000000020 implements MigrationInterface {
  name = 'HealthSourceChangeFeed1796000000020';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await dropAdapterStateFromSource(queryRunner);
    await queryRunner.query(
      `ALTER TABLE "patient" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_patient_updated_at" ON "patient" ("updated_at")`);
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION mash_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "patient_updated_at" BEFORE UPDATE ON "patient" FOR EACH ROW EXECUTE FUNCTION mash_set_updated_at()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "patient_updated_at" ON "patient"`);
    await queryRunner.query(`ALTER TABLE "patient" DROP COLUMN "updated_at"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS mash_set_updated_at()`);
  }
}
