import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Households (issue 13): the people on a case. Existing cases get their subject as a member, so
 * every case lists its subject among its members (generated from the entities, then committed).
 */
export class HouseholdMembers1765100000000 implements MigrationInterface {
  name = 'HouseholdMembers1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "case_member" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "relationship" text NOT NULL, "details_sealed" text, "pseudonym" text, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL, "created_by" text NOT NULL, CONSTRAINT "PK_7845d5fdeb06a9fad11f157ee55" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_3ae10bd7541fdd8a13e311d330" ON "case_member" ("partnership", "pseudonym") `,
    );
    await q.query(
      `CREATE INDEX "IDX_4e724c15c2ebad5dd8b8b61601" ON "case_member" ("partnership", "case_id") `,
    );
    await q.query(
      `INSERT INTO "case_member" ("id", "partnership", "case_id", "relationship", "details_sealed", "pseudonym", "created_at", "created_by")
       SELECT gen_random_uuid(), "partnership", "id", 'subject', "subject_sealed", "subject_pseudonym", "created_at", "created_by" FROM "mash_case"`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_4e724c15c2ebad5dd8b8b61601"`);
    await q.query(`DROP INDEX "public"."IDX_3ae10bd7541fdd8a13e311d330"`);
    await q.query(`DROP TABLE "case_member"`);
  }
}
