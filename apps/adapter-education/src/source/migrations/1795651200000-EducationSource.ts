import type { MigrationInterface, QueryRunner } from 'typeorm';

export class EducationSource1795651200000 implements MigrationInterface {
  name = 'EducationSource1795651200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "school" ("urn" integer NOT NULL, "la_estab" character varying(7) NOT NULL, "school_name" character varying(200) NOT NULL, "phase" character varying(20) NOT NULL, "postcode" character varying(10) NOT NULL, CONSTRAINT "PK_461275ffcf1e4c8f20c6ae631ed" PRIMARY KEY ("urn"))`,
    );
    await queryRunner.query(
      `CREATE TABLE "pupil" ("pupil_id" uuid NOT NULL DEFAULT gen_random_uuid(), "upn" character varying(13), "former_upn" character varying(13), "surname" character varying(100) NOT NULL, "forename" character varying(100) NOT NULL, "middle_names" character varying(200), "preferred_surname" character varying(100), "dob" date NOT NULL, "gender" character varying(1) NOT NULL, "address_line" character varying(200), "postcode" character varying(10), CONSTRAINT "PK_a80a24117c079142146bc4fd752" PRIMARY KEY ("pupil_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_education_pupil_upn" ON "pupil" ("upn") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_education_pupil_former_upn" ON "pupil" ("former_upn") `,
    );
    await queryRunner.query(
      `CREATE TABLE "enrolment" ("enrolment_id" uuid NOT NULL DEFAULT gen_random_uuid(), "pupil_id" uuid NOT NULL, "urn" integer NOT NULL, "entry_date" date NOT NULL, "leaving_date" date, "nc_year_actual" character varying(2) NOT NULL, "enrol_status" character varying(1) NOT NULL, CONSTRAINT "PK_030d1847ddb2f702bbf80b330f5" PRIMARY KEY ("enrolment_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_education_enrolment_pupil" ON "enrolment" ("pupil_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "attendance" ("attendance_id" uuid NOT NULL DEFAULT gen_random_uuid(), "pupil_id" uuid NOT NULL, "urn" integer NOT NULL, "term" character varying(20) NOT NULL, "sessions_possible" integer NOT NULL, "sessions_authorised_absence" integer NOT NULL, "sessions_unauthorised_absence" integer NOT NULL, CONSTRAINT "PK_b1577f082402d8226bcd4aed679" PRIMARY KEY ("attendance_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_education_attendance_pupil" ON "attendance" ("pupil_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "exclusion" ("exclusion_id" uuid NOT NULL DEFAULT gen_random_uuid(), "pupil_id" uuid NOT NULL, "urn" integer NOT NULL, "start_date" date NOT NULL, "category" character varying(4) NOT NULL, "reason" character varying(4) NOT NULL, "sessions" integer NOT NULL, CONSTRAINT "PK_c722b07a4b8358fe82e24d1a490" PRIMARY KEY ("exclusion_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_education_exclusion_pupil" ON "exclusion" ("pupil_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "sen_need" ("sen_need_id" uuid NOT NULL DEFAULT gen_random_uuid(), "pupil_id" uuid NOT NULL, "sen_provision" character varying(1) NOT NULL, "need_type" character varying(4) NOT NULL, "need_rank" integer NOT NULL, "ehcp_start_date" date, CONSTRAINT "PK_58e6a3de6df8f968b28f0efb98f" PRIMARY KEY ("sen_need_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_education_sen_need_pupil" ON "sen_need" ("pupil_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "mash_outcome" ("outcome_id" character varying(100) NOT NULL, "case_ref" character varying(100) NOT NULL, "subject_ref" character varying(100), "outcome" character varying(40) NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_483900b055fdd925a0cb1dc3b06" PRIMARY KEY ("outcome_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolment" ADD CONSTRAINT "FK_9107d662b6b296290bf4b7ab983" FOREIGN KEY ("pupil_id") REFERENCES "pupil"("pupil_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolment" ADD CONSTRAINT "FK_cea8e473ad3f3f3c8b00d12e76f" FOREIGN KEY ("urn") REFERENCES "school"("urn") ON DELETE NO ACTION ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "attendance" ADD CONSTRAINT "FK_4368c9a85a8a2e6cca6efef2d7f" FOREIGN KEY ("pupil_id") REFERENCES "pupil"("pupil_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "exclusion" ADD CONSTRAINT "FK_c10ea664a8e9aa28ce5a480a166" FOREIGN KEY ("pupil_id") REFERENCES "pupil"("pupil_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "sen_need" ADD CONSTRAINT "FK_9dd1f2cd396e1fb64c89a1bb93e" FOREIGN KEY ("pupil_id") REFERENCES "pupil"("pupil_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_education_pupil_name_dob" ON "pupil" (lower(trim("surname")), lower(trim("forename")), "dob")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_education_pupil_name_dob"`);
    await queryRunner.query(
      `ALTER TABLE "sen_need" DROP CONSTRAINT "FK_9dd1f2cd396e1fb64c89a1bb93e"`,
    );
    await queryRunner.query(
      `ALTER TABLE "exclusion" DROP CONSTRAINT "FK_c10ea664a8e9aa28ce5a480a166"`,
    );
    await queryRunner.query(
      `ALTER TABLE "attendance" DROP CONSTRAINT "FK_4368c9a85a8a2e6cca6efef2d7f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolment" DROP CONSTRAINT "FK_cea8e473ad3f3f3c8b00d12e76f"`,
    );
    await queryRunner.query(
      `ALTER TABLE "enrolment" DROP CONSTRAINT "FK_9107d662b6b296290bf4b7ab983"`,
    );
    await queryRunner.query(`DROP TABLE "mash_outcome"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_education_sen_need_pupil"`);
    await queryRunner.query(`DROP TABLE "sen_need"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_education_exclusion_pupil"`);
    await queryRunner.query(`DROP TABLE "exclusion"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_education_attendance_pupil"`);
    await queryRunner.query(`DROP TABLE "attendance"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_education_enrolment_pupil"`);
    await queryRunner.query(`DROP TABLE "enrolment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_education_pupil_former_upn"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_education_pupil_upn"`);
    await queryRunner.query(`DROP TABLE "pupil"`);
    await queryRunner.query(`DROP TABLE "school"`);
  }
}
