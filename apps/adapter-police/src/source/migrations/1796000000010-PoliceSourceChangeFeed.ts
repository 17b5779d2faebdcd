import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropAdapterStateFromSource } from '@mash/adapter-sdk';

/**
 * The source keeps only the agency's own records: the adapter's index, model, outcomes, ledger and
 * inbox move to the adapter's own database. A last-changed time on the identity rows (set on
 * insert by default, on update by a trigger) is the change feed the adapter's match index follows.
 */
export class PoliceSourceChangeFeed1796000000010 implements MigrationInterface {
  name = 'PoliceSourceChangeFeed1796000000010';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await dropAdapterStateFromSource(queryRunner);
    await queryRunner.query(
      `ALTER TABLE "person" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_person_updated_at" ON "person" ("updated_at")`);
    await queryRunner.query(
      `ALTER TABLE "person_address" ADD "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_person_address_updated_at" ON "person_address" ("updated_at")`,
    );
    await queryRunner.query(
      `CREATE OR REPLACE FUNCTION mash_set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := now(); RETURN NEW; END $$`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "person_updated_at" BEFORE UPDATE ON "person" FOR EACH ROW EXECUTE FUNCTION mash_set_updated_at()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER "person_address_updated_at" BEFORE UPDATE ON "person_address" FOR EACH ROW EXECUTE FUNCTION mash_set_updated_at()`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TRIGGER "person_updated_at" ON "person"`);
    await queryRunner.query(`ALTER TABLE "person" DROP COLUMN "updated_at"`);
    await queryRunner.query(`DROP TRIGGER "person_address_updated_at" ON "person_address"`);
    await queryRunner.query(`ALTER TABLE "person_address" DROP COLUMN "updated_at"`);
    await queryRunner.query(`DROP FUNCTION IF EXISTS mash_set_updated_at()`);
  }
}
