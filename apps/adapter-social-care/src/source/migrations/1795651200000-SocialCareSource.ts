import type { MigrationInterface, QueryRunner } from 'typeorm';

export class SocialCareSource1795651200000 implements MigrationInterface {
  name = 'SocialCareSource1795651200000';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "child" ("la_child_id" character varying(15) NOT NULL, "upn" character varying(13), "former_upn" character varying(13), "upn_unknown" character varying(4), "forename" character varying(100) NOT NULL, "surname" character varying(100) NOT NULL, "person_birth_date" date, "gender_current" smallint NOT NULL, "address_line" character varying(200), "postcode" character varying(10), CONSTRAINT "PK_c6ee443372cab1e532c2411f587" PRIMARY KEY ("la_child_id"))`,
    );
    await queryRunner.query(`CREATE INDEX "IDX_social_care_child_upn" ON "child" ("upn") `);
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_child_former_upn" ON "child" ("former_upn") `,
    );
    await queryRunner.query(
      `CREATE TABLE "cin_referral" ("referral_id" uuid NOT NULL DEFAULT gen_random_uuid(), "la_child_id" character varying(15) NOT NULL, "cin_referral_date" date NOT NULL, "referral_source" character varying(3) NOT NULL, "primary_need_code" character varying(2) NOT NULL, "referral_nfa" boolean NOT NULL DEFAULT false, "cin_closure_date" date, "reason_for_closure" character varying(4), CONSTRAINT "PK_eb5299b9dd952e6eed3b0429a12" PRIMARY KEY ("referral_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_referral_child" ON "cin_referral" ("la_child_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "assessment" ("assessment_id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid NOT NULL, "assessment_actual_start_date" date NOT NULL, "assessment_authorisation_date" date, "assessment_factors" text NOT NULL, CONSTRAINT "PK_79b93d2bb56f37e75b533fa988a" PRIMARY KEY ("assessment_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_assessment_referral" ON "assessment" ("referral_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "cin_plan" ("cin_plan_id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid NOT NULL, "cin_plan_start_date" date NOT NULL, "cin_plan_end_date" date, CONSTRAINT "PK_edfc3520f53d9fa3b93282032e3" PRIMARY KEY ("cin_plan_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_cin_plan_referral" ON "cin_plan" ("referral_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "section47" ("section47_id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid NOT NULL, "s47_actual_start_date" date NOT NULL, "initial_cpc_target" date, "icpc_date" date, "icpc_not_required" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_084a5b6c7df064ddd870d9f6ee5" PRIMARY KEY ("section47_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_section47_referral" ON "section47" ("referral_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "child_protection_plan" ("cpp_id" uuid NOT NULL DEFAULT gen_random_uuid(), "referral_id" uuid NOT NULL, "cpp_start_date" date NOT NULL, "cpp_end_date" date, "initial_category_of_abuse" character varying(3) NOT NULL, "latest_category_of_abuse" character varying(3), CONSTRAINT "PK_ec800facefb914eaf3bcb82e8bd" PRIMARY KEY ("cpp_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_cpp_referral" ON "child_protection_plan" ("referral_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "looked_after_episode" ("episode_id" uuid NOT NULL DEFAULT gen_random_uuid(), "la_child_id" character varying(15) NOT NULL, "period_start" date NOT NULL, "period_end" date, "legal_status" character varying(2) NOT NULL, CONSTRAINT "PK_a5325019e218162fe626484d280" PRIMARY KEY ("episode_id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_lac_child" ON "looked_after_episode" ("la_child_id") `,
    );
    await queryRunner.query(
      `CREATE TABLE "mash_outcome" ("outcome_id" character varying(100) NOT NULL, "case_ref" character varying(100) NOT NULL, "subject_ref" character varying(100), "outcome" character varying(40) NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_483900b055fdd925a0cb1dc3b06" PRIMARY KEY ("outcome_id"))`,
    );
    await queryRunner.query(
      `ALTER TABLE "cin_referral" ADD CONSTRAINT "FK_6752e35b8c0b4b827e4c0145dc0" FOREIGN KEY ("la_child_id") REFERENCES "child"("la_child_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "assessment" ADD CONSTRAINT "FK_e1983211a622bd7a622aecdd43a" FOREIGN KEY ("referral_id") REFERENCES "cin_referral"("referral_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "cin_plan" ADD CONSTRAINT "FK_cc73cd7e76b9877f22a8f6f22d4" FOREIGN KEY ("referral_id") REFERENCES "cin_referral"("referral_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "section47" ADD CONSTRAINT "FK_1075adeead20f03b673cfdf8f51" FOREIGN KEY ("referral_id") REFERENCES "cin_referral"("referral_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "child_protection_plan" ADD CONSTRAINT "FK_ad5879666cf2a1430f9ad7e8096" FOREIGN KEY ("referral_id") REFERENCES "cin_referral"("referral_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `ALTER TABLE "looked_after_episode" ADD CONSTRAINT "FK_5a6d44c60ff32bb355cee9cd460" FOREIGN KEY ("la_child_id") REFERENCES "child"("la_child_id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_social_care_child_name_dob" ON "child" (lower(trim("surname")), lower(trim("forename")), "person_birth_date")`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX "IDX_social_care_child_name_dob"`);
    await queryRunner.query(
      `ALTER TABLE "looked_after_episode" DROP CONSTRAINT "FK_5a6d44c60ff32bb355cee9cd460"`,
    );
    await queryRunner.query(
      `ALTER TABLE "child_protection_plan" DROP CONSTRAINT "FK_ad5879666cf2a1430f9ad7e8096"`,
    );
    await queryRunner.query(
      `ALTER TABLE "section47" DROP CONSTRAINT "FK_1075adeead20f03b673cfdf8f51"`,
    );
    await queryRunner.query(
      `ALTER TABLE "cin_plan" DROP CONSTRAINT "FK_cc73cd7e76b9877f22a8f6f22d4"`,
    );
    await queryRunner.query(
      `ALTER TABLE "assessment" DROP CONSTRAINT "FK_e1983211a622bd7a622aecdd43a"`,
    );
    await queryRunner.query(
      `ALTER TABLE "cin_referral" DROP CONSTRAINT "FK_6752e35b8c0b4b827e4c0145dc0"`,
    );
    await queryRunner.query(`DROP TABLE "mash_outcome"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_lac_child"`);
    await queryRunner.query(`DROP TABLE "looked_after_episode"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_cpp_referral"`);
    await queryRunner.query(`DROP TABLE "child_protection_plan"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_section47_referral"`);
    await queryRunner.query(`DROP TABLE "section47"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_cin_plan_referral"`);
    await queryRunner.query(`DROP TABLE "cin_plan"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_assessment_referral"`);
    await queryRunner.query(`DROP TABLE "assessment"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_referral_child"`);
    await queryRunner.query(`DROP TABLE "cin_referral"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_child_former_upn"`);
    await queryRunner.query(`DROP INDEX "public"."IDX_social_care_child_upn"`);
    await queryRunner.query(`DROP TABLE "child"`);
  }
}
