import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case workflow: rating history, the capacity queue, outcomes and their per-agency delivery,
 * transparency withholdings, and on the case the subject pseudonym and retention columns
 * (generated from the entities, then committed).
 */
export class CaseWorkflow1764300000000 implements MigrationInterface {
  name = 'CaseWorkflow1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "case_rating_change" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "from_rag" text NOT NULL, "to_rag" text NOT NULL, "from_due_at" TIMESTAMP WITH TIME ZONE, "to_due_at" TIMESTAMP WITH TIME ZONE, "rationale_sealed" text, "changed_by" text NOT NULL, "changed_role" text NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_60ff6e1afdfd139c86417336c9d" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_bd5182414954154139c5122f5b" ON "case_rating_change" ("partnership", "case_id", "changed_at") `,
    );
    await q.query(
      `CREATE TABLE "capacity_queue" ("query_id" uuid NOT NULL, "agency" text NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "decision" jsonb NOT NULL, "enqueued_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_483032e9efa2994138d480f3dc8" PRIMARY KEY ("query_id", "agency"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_b3e6d3b04b66e9bc1f6167f7f3" ON "capacity_queue" ("partnership", "agency", "enqueued_at") `,
    );
    await q.query(
      `CREATE TABLE "case_outcome" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "outcome" text NOT NULL, "rationale_sealed" text, "decided_by" text NOT NULL, "decided_role" text NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "closed_case" boolean NOT NULL, CONSTRAINT "PK_941a0c202c8f28ccc2d9c3e54ca" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_d7bd26644e25d06b30045edeaa" ON "case_outcome" ("partnership", "case_id", "decided_at") `,
    );
    await q.query(
      `CREATE TABLE "case_outcome_delivery" ("outcome_id" uuid NOT NULL, "agency" text NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "roles" text array NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_sent_at" TIMESTAMP WITH TIME ZONE, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_17ad46ee09029fa0061b975e5a9" PRIMARY KEY ("outcome_id", "agency"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_f53e06e65290178245d53d818c" ON "case_outcome_delivery" ("status", "next_attempt_at") `,
    );
    await q.query(
      `CREATE TABLE "transparency_withholding" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "item" text NOT NULL, "reason_sealed" text, "withheld_by" text NOT NULL, "withheld_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_3741740f98570b1c903a48eeda0" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE UNIQUE INDEX "IDX_04f4216f85a32e4d9f86205810" ON "transparency_withholding" ("partnership", "case_id", "item") `,
    );
    await q.query(`ALTER TABLE "mash_case" ADD "subject_pseudonym" text`);
    await q.query(`ALTER TABLE "mash_case" ADD "retain_until" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "mash_case" ADD "purged_at" TIMESTAMP WITH TIME ZONE`);
    await q.query(`ALTER TABLE "mash_case" ADD "shared_categories" jsonb`);
    await q.query(`ALTER TABLE "mash_case" ALTER COLUMN "subject_sealed" DROP NOT NULL`);
    await q.query(
      `CREATE INDEX "IDX_1ea5c2237b054d5fe8f8c07bbb" ON "mash_case" ("partnership", "subject_pseudonym") `,
    );
    await q.query(
      `ALTER TABLE "consent_decision" ALTER COLUMN "justification_sealed" DROP NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "consent_decision" ALTER COLUMN "justification_sealed" SET NOT NULL`,
    );
    await q.query(`DROP INDEX "public"."IDX_1ea5c2237b054d5fe8f8c07bbb"`);
    await q.query(`ALTER TABLE "mash_case" ALTER COLUMN "subject_sealed" SET NOT NULL`);
    await q.query(`ALTER TABLE "mash_case" DROP COLUMN "shared_categories"`);
    await q.query(`ALTER TABLE "mash_case" DROP COLUMN "purged_at"`);
    await q.query(`ALTER TABLE "mash_case" DROP COLUMN "retain_until"`);
    await q.query(`ALTER TABLE "mash_case" DROP COLUMN "subject_pseudonym"`);
    await q.query(`DROP INDEX "public"."IDX_04f4216f85a32e4d9f86205810"`);
    await q.query(`DROP TABLE "transparency_withholding"`);
    await q.query(`DROP INDEX "public"."IDX_f53e06e65290178245d53d818c"`);
    await q.query(`DROP TABLE "case_outcome_delivery"`);
    await q.query(`DROP INDEX "public"."IDX_d7bd26644e25d06b30045edeaa"`);
    await q.query(`DROP TABLE "case_outcome"`);
    await q.query(`DROP INDEX "public"."IDX_b3e6d3b04b66e9bc1f6167f7f3"`);
    await q.query(`DROP TABLE "capacity_queue"`);
    await q.query(`DROP INDEX "public"."IDX_bd5182414954154139c5122f5b"`);
    await q.query(`DROP TABLE "case_rating_change"`);
  }
}
