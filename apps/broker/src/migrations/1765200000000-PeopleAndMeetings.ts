import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * People in the MASH (issue 13): agencies' representatives' contributions, and daily MASH meetings
 * and strategy discussions with their case decisions and the actions fed back to agencies
 * (generated from the entities, then committed).
 */
export class PeopleAndMeetings1765200000000 implements MigrationInterface {
  name = 'PeopleAndMeetings1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "case_contribution" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "member_id" uuid, "agency" text NOT NULL, "kind" text NOT NULL, "text_sealed" text, "confidence" text, "purpose" text NOT NULL, "agreement" jsonb NOT NULL, "legal_gateways" jsonb NOT NULL, "contributed_by" text NOT NULL, "contributed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_2e8f40b7c8b55f3191ed18af32d" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_dd62d1fa3d34a7a2a60d3e533f" ON "case_contribution" ("partnership", "case_id", "contributed_at") `,
    );
    await q.query(
      `CREATE TABLE "mash_meeting" ("id" uuid NOT NULL, "partnership" text NOT NULL, "kind" text NOT NULL, "held_at" TIMESTAMP WITH TIME ZONE NOT NULL, "attendees_sealed" text NOT NULL, "agencies" text array NOT NULL, "recorded_by" text NOT NULL, "recorded_role" text NOT NULL, "recorded_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_68b86686d9145ee0639ec653f58" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_75024415860e620578be418adb" ON "mash_meeting" ("partnership", "held_at") `,
    );
    await q.query(
      `CREATE TABLE "mash_meeting_case" ("meeting_id" uuid NOT NULL, "case_id" uuid NOT NULL, "partnership" text NOT NULL, "decision_sealed" text, CONSTRAINT "PK_eef85482f2b0917bfe0a9be4708" PRIMARY KEY ("meeting_id", "case_id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_a5b391810f2c5e8ace7197033d" ON "mash_meeting_case" ("partnership", "case_id") `,
    );
    await q.query(
      `CREATE TABLE "mash_meeting_action" ("id" uuid NOT NULL, "meeting_id" uuid NOT NULL, "case_id" uuid NOT NULL, "partnership" text NOT NULL, "agency" text NOT NULL, "action_sealed" text, "due_at" TIMESTAMP WITH TIME ZONE NOT NULL, "status" text NOT NULL, "attempts" integer NOT NULL DEFAULT '0', "last_sent_at" TIMESTAMP WITH TIME ZONE, "next_attempt_at" TIMESTAMP WITH TIME ZONE NOT NULL, "last_error" text, "delivered_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_435bfd511aaa65d5538a251001a" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_7f2b37b66ee4d6b9c887f80be9" ON "mash_meeting_action" ("partnership", "case_id") `,
    );
    await q.query(
      `CREATE INDEX "IDX_8b6784ce10adbc4702e5bd08a7" ON "mash_meeting_action" ("status", "next_attempt_at") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_8b6784ce10adbc4702e5bd08a7"`);
    await q.query(`DROP INDEX "public"."IDX_7f2b37b66ee4d6b9c887f80be9"`);
    await q.query(`DROP TABLE "mash_meeting_action"`);
    await q.query(`DROP INDEX "public"."IDX_a5b391810f2c5e8ace7197033d"`);
    await q.query(`DROP TABLE "mash_meeting_case"`);
    await q.query(`DROP INDEX "public"."IDX_75024415860e620578be418adb"`);
    await q.query(`DROP TABLE "mash_meeting"`);
    await q.query(`DROP INDEX "public"."IDX_dd62d1fa3d34a7a2a60d3e533f"`);
    await q.query(`DROP TABLE "case_contribution"`);
  }
}
