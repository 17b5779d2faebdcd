import type { MigrationInterface, QueryRunner } from 'typeorm';

export class PoliceSource1795651200000 implements MigrationInterface {
  name = 'PoliceSource1795651200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "person" ("person_id" uuid NOT NULL DEFAULT gen_random_uuid(), "surname" character varying(100) NOT NULL, "forename" character varying(100) NOT NULL, "middle_names" character varying(200), "date_of_birth" date, "sex" character varying(1) NOT NULL, "pnc_id" character varying(20), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_403c951c5e9b776c16385a8940f" PRIMARY KEY ("person_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_police_person_pnc_id" ON "person" ("pnc_id") `);
    await queryRunner.query(
      `CREATE TABLE "person_address" ("person_address_id" uuid NOT NULL DEFAULT gen_random_uuid(), "person_id" uuid NOT NULL, "address_line" character varying(200) NOT NULL, "town" character varying(100) NOT NULL, "postcode" character varying(10) NOT NULL, "valid_from" date, "valid_to" date, CONSTRAINT "PK_07a1636119de2482bb0176b1839" PRIMARY KEY ("person_address_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_police_person_address_person" ON "person_address" ("person_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "location" ("location_id" uuid NOT NULL DEFAULT gen_random_uuid(), "address_line" character varying(200) NOT NULL, "town" character varying(100) NOT NULL, "postcode" character varying(10) NOT NULL, "beat_code" character varying(10), CONSTRAINT "PK_b6e6c23b493859e5875de66c18d" PRIMARY KEY ("location_id"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "occurrence" ("occurrence_id" uuid NOT NULL DEFAULT gen_random_uuid(), "occurrence_ref" character varying(30) NOT NULL, "occurred_on" date NOT NULL, "reported_at" TIMESTAMP WITH TIME ZONE NOT NULL, "occurrence_type" character varying(60) NOT NULL, "location_id" uuid, "summary" text NOT NULL, "domestic_abuse_marker" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_e13214bbf4e04573f54d851f72c" PRIMARY KEY ("occurrence_id"))`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_police_occurrence_ref" ON "occurrence" ("occurrence_ref") `,
    );
    await queryRunner.query(
      `CREATE TABLE "occurrence_person" ("occurrence_id" uuid NOT NULL, "person_id" uuid NOT NULL, "role" character varying(20) NOT NULL, CONSTRAINT "PK_99610487f0f4bfbb44060b85d55" PRIMARY KEY ("occurrence_id", "person_id", "role"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_police_occurrence_person_person" ON "occurrence_person" ("person_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "warning_marker" ("warning_marker_id" uuid NOT NULL DEFAULT gen_random_uuid(), "person_id" uuid NOT NULL, "marker_code" character varying(4) NOT NULL, "marker_description" character varying(60) NOT NULL, "added_on" date NOT NULL, CONSTRAINT "PK_0535807f7d7735c410945a479a4" PRIMARY KEY ("warning_marker_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_police_warning_marker_person" ON "warning_marker" ("person_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "mash_outcome" ("outcome_id" character varying(100) NOT NULL, "case_ref" character varying(100) NOT NULL, "subject_ref" character varying(100), "outcome" character varying(40) NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_483900b055fdd925a0cb1dc3b06" PRIMARY KEY ("outcome_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "person_address" ADD CONSTRAINT "FK_ce7df7591d4659be1f5f9218384" FOREIGN KEY ("person_id") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "occurrence" ADD CONSTRAINT "FK_ce2093b82f4923009d7b10864f1" FOREIGN KEY ("location_id") REFERENCES "location"("location_id") ON DELETE SET NULL ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "occurrence_person" ADD CONSTRAINT "FK_3d27a4a7d159fc9c6613c194a86" FOREIGN KEY ("occurrence_id") REFERENCES "occurrence"("occurrence_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "occurrence_person" ADD CONSTRAINT "FK_95ee779846f8af6cf988b3f3846" FOREIGN KEY ("person_id") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "warning_marker" ADD CONSTRAINT "FK_f8af0ed6014b98470a5b779fb51" FOREIGN KEY ("person_id") REFERENCES "person"("person_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_police_person_name_dob" ON "person" (lower(trim("surname")), lower(trim("forename")), "date_of_birth")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_police_person_name_dob"`);
    await queryRunner.query(
      `ALTER TABLE "warning_marker" DROP CONSTRAINT "FK_f8af0ed6014b98470a5b779fb51"`,
    );
    await queryRunner.query(
      `ALTER TABLE "occurrence_person" DROP CONSTRAINT "FK_95ee779846f8af6cf988b3f3846"`,
    );
    await queryRunner.query(
      `ALTER TABLE "occurrence_person" DROP CONSTRAINT "FK_3d27a4a7d159fc9c6613c194a86"`,
    );
    await queryRunner.query(
      `ALTER TABLE "occurrence" DROP CONSTRAINT "FK_ce2093b82f4923009d7b10864f1"`,
    );
    await queryRunner.query(
      `ALTER TABLE "person_address" DROP CONSTRAINT "FK_ce7df7591d4659be1f5f9218384"`,
    );
    await queryRunner.query(`DROP TABLE "mash_outcome"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_police_warning_marker_person"`);
    await queryRunner.query(`DROP TABLE "warning_marker"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_police_occurrence_person_person"`);
    await queryRunner.query(`DROP TABLE "occurrence_person"`);
    await queryRunner.query(`DROP INDEX "public"."UQ_police_occurrence_ref"`);
    await queryRunner.query(`DROP TABLE "occurrence"`);
    await queryRunner.query(`DROP TABLE "location"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_police_person_address_person"`);
    await queryRunner.query(`DROP TABLE "person_address"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_police_person_pnc_id"`);
    await queryRunner.query(`DROP TABLE "person"`);
  }
}
