import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Households (issue 13): a query's part per agency and person (the subject's member id for the
 * parts asked before households), and consent per person and agency.
 */
export class HouseholdQueries1765100000001 implements MigrationInterface {
  name = 'HouseholdQueries1765100000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "consent_decision" ADD "member_id" uuid`);
    await q.query(`ALTER TABLE "consent_decision" ADD "agencies" text array`);
    await q.query(`ALTER TABLE "consent_decision" ADD "given_by" text`);
    await q.query(`ALTER TABLE "consent_decision" ADD "understood" boolean`);
    await q.query(`ALTER TABLE "federated_query_agency" ADD "member_id" uuid`);
    await q.query(
      `UPDATE "federated_query_agency" a SET "member_id" = m."id"
         FROM "federated_query" f JOIN "case_member" m ON m."case_id" = f."case_id" AND m."relationship" = 'subject'
        WHERE f."id" = a."query_id"`,
    );
    await q.query(`ALTER TABLE "federated_query_agency" ALTER COLUMN "member_id" SET NOT NULL`);
    await q.query(
      `ALTER TABLE "federated_query_agency" DROP CONSTRAINT "PK_57e6025711b2fa042f15a1fdde7"`,
    );
    await q.query(
      `ALTER TABLE "federated_query_agency" ADD CONSTRAINT "PK_b76fb94bd8dc8d58f12c124eee6" PRIMARY KEY ("query_id", "agency", "member_id")`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM "federated_query_agency" a USING "case_member" m
      WHERE m."id" = a."member_id" AND m."relationship" <> 'subject'`);
    await q.query(
      `ALTER TABLE "federated_query_agency" DROP CONSTRAINT "PK_b76fb94bd8dc8d58f12c124eee6"`,
    );
    await q.query(
      `ALTER TABLE "federated_query_agency" ADD CONSTRAINT "PK_57e6025711b2fa042f15a1fdde7" PRIMARY KEY ("query_id", "agency")`,
    );
    await q.query(`ALTER TABLE "federated_query_agency" DROP COLUMN "member_id"`);
    await q.query(`ALTER TABLE "consent_decision" DROP COLUMN "understood"`);
    await q.query(`ALTER TABLE "consent_decision" DROP COLUMN "given_by"`);
    await q.query(`ALTER TABLE "consent_decision" DROP COLUMN "agencies"`);
    await q.query(`ALTER TABLE "consent_decision" DROP COLUMN "member_id"`);
  }
}
