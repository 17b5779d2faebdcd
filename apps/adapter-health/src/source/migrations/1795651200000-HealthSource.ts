import type { MigrationInterface, QueryRunner } from 'typeorm';

export class HealthSource1795651200000 implements MigrationInterface {
  name = 'HealthSource1795651200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "organization" ("ods_code" character varying(10) NOT NULL, "name" character varying(200) NOT NULL, "kind" character varying(20) NOT NULL, CONSTRAINT "PK_3c25a4ea46ebeddd26d30b38c8d" PRIMARY KEY ("ods_code"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "patient" ("patient_id" uuid NOT NULL DEFAULT gen_random_uuid(), "nhs_number" character varying(10), "nhs_number_verification_status" character varying(2), "family_name" character varying(100) NOT NULL, "given_name" character varying(100) NOT NULL, "other_given_names" character varying(200), "birth_date" date NOT NULL, "gender" character varying(10) NOT NULL, "address_line" character varying(200), "address_city" character varying(100), "address_postcode" character varying(10), "general_practitioner_ods" character varying(10), "gp_registered_on" date, CONSTRAINT "PK_bd1c8f471a2198c19f43987ab05" PRIMARY KEY ("patient_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_health_patient_nhs_number" ON "patient" ("nhs_number") `,
    );
    await queryRunner.query(
      `CREATE TABLE "encounter" ("encounter_id" uuid NOT NULL DEFAULT gen_random_uuid(), "patient_id" uuid NOT NULL, "class_code" character varying(10) NOT NULL, "period_start" TIMESTAMP WITH TIME ZONE NOT NULL, "department" character varying(100) NOT NULL, "reason_text" character varying(200) NOT NULL, "discharge_disposition" character varying(100) NOT NULL, "service_provider_ods" character varying(10) NOT NULL, CONSTRAINT "PK_a9f621f90d3ad2a9cdd903203cd" PRIMARY KEY ("encounter_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_health_encounter_patient" ON "encounter" ("patient_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "flag" ("flag_id" uuid NOT NULL DEFAULT gen_random_uuid(), "patient_id" uuid NOT NULL, "code" character varying(10) NOT NULL, "status" character varying(10) NOT NULL, "period_start" date NOT NULL, "period_end" date, CONSTRAINT "PK_69937d1b35438d8c3ac6ea7deb5" PRIMARY KEY ("flag_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_health_flag_patient" ON "flag" ("patient_id") `);
    await queryRunner.query(
      `CREATE TABLE "mash_outcome" ("outcome_id" character varying(100) NOT NULL, "case_ref" character varying(100) NOT NULL, "subject_ref" character varying(100), "outcome" character varying(40) NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_483900b055fdd925a0cb1dc3b06" PRIMARY KEY ("outcome_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "patient" ADD CONSTRAINT "FK_9ac2cc11590e3f0d5e9521f69a8" FOREIGN KEY ("general_practitioner_ods") REFERENCES "organization"("ods_code") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "encounter" ADD CONSTRAINT "FK_229e2fb2c0e5101c3a9e7921367" FOREIGN KEY ("patient_id") REFERENCES "patient"("patient_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "flag" ADD CONSTRAINT "FK_c4282b8cd3529c1566c2cae348b" FOREIGN KEY ("patient_id") REFERENCES "patient"("patient_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_health_patient_name_dob" ON "patient" (lower(trim("family_name")), lower(trim("given_name")), "birth_date")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_health_patient_name_dob"`);
    await queryRunner.query(`ALTER TABLE "flag" DROP CONSTRAINT "FK_c4282b8cd3529c1566c2cae348b"`);
    await queryRunner.query(
      `ALTER TABLE "encounter" DROP CONSTRAINT "FK_229e2fb2c0e5101c3a9e7921367"`,
    );
    await queryRunner.query(
      `ALTER TABLE "patient" DROP CONSTRAINT "FK_9ac2cc11590e3f0d5e9521f69a8"`,
    );
    await queryRunner.query(`DROP TABLE "mash_outcome"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_health_flag_patient"`);
    await queryRunner.query(`DROP TABLE "flag"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_health_encounter_patient"`);
    await queryRunner.query(`DROP TABLE "encounter"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_health_patient_nhs_number"`);
    await queryRunner.query(`DROP TABLE "patient"`);
    await queryRunner.query(`DROP TABLE "organization"`);
  }
}
