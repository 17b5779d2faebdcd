import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Cases, consent, federated queries, the outbox and agreements (generated from the entities, then committed). */
export class BrokerSchema1764160000000 implements MigrationInterface {
  name = 'BrokerSchema1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "agreement_version" ("agreement_id" uuid NOT NULL, "version" integer NOT NULL, "partnership" text NOT NULL, "agency" text NOT NULL, "status" text NOT NULL, "content" jsonb NOT NULL, "hash" text NOT NULL, "created_by" text NOT NULL, "activation_requested_by" text, "activated_by" text, "activated_at" TIMESTAMP WITH TIME ZONE, "suspended_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_99b0b8137dcd74ab1e022f07d8a" PRIMARY KEY ("agreement_id", "version"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_d73a07a094adb475208d4a2c08" ON "agreement_version" ("partnership", "agency") `,
    );
    await q.query(
      `CREATE TABLE "mash_case" ("id" uuid NOT NULL, "partnership" text NOT NULL, "status" text NOT NULL, "subject_sealed" text NOT NULL, "narrative_sealed" text, "referrer_agency" text NOT NULL, "referrer_name_sealed" text, "concerns" text array NOT NULL, "level" integer NOT NULL, "rag" text NOT NULL, "threshold_version" integer NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL, "due_at" TIMESTAMP WITH TIME ZONE, "signpost_reason" text, "created_by" text NOT NULL, "closed_at" TIMESTAMP WITH TIME ZONE, "deadline_notified_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_318ce5910ed3f70672111ebdf4d" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_2ce4f069f5df6130cee743e51d" ON "mash_case" ("partnership", "status", "due_at") `,
    );
    await q.query(
      `CREATE TABLE "consent_decision" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "status" text NOT NULL, "reason" text, "justification_sealed" text NOT NULL, "decided_by" text NOT NULL, "decided_role" text NOT NULL, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL, "approved_by" text, "approved_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_256b3629fb7a941bfecf634f4d6" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_56486f27fef92e2a8f3ee6beda" ON "consent_decision" ("partnership", "case_id", "decided_at") `,
    );
    await q.query(
      `CREATE TABLE "outbox_message" ("id" BIGSERIAL NOT NULL, "topic" text NOT NULL, "key" text NOT NULL, "value" text NOT NULL, "headers" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "available_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "published_at" TIMESTAMP WITH TIME ZONE, "attempts" integer NOT NULL DEFAULT '0', CONSTRAINT "PK_2f36ee5236f2793f3e7bd554589" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_cd507e9c8bb96a665a93006a84" ON "outbox_message" ("published_at", "available_at") `,
    );
    await q.query(
      `CREATE TABLE "federated_query" ("id" uuid NOT NULL, "partnership" text NOT NULL, "case_id" uuid NOT NULL, "purpose" text NOT NULL, "status" text NOT NULL, "requested_by" text NOT NULL, "requested_role" text NOT NULL, "deadline_at" TIMESTAMP WITH TIME ZONE NOT NULL, "completed_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_33674571062f2f0917106b12d9f" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_22b9938c899a4a2056ab87f069" ON "federated_query" ("partnership", "case_id") `,
    );
    await q.query(
      `CREATE TABLE "federated_query_agency" ("query_id" uuid NOT NULL, "agency" text NOT NULL, "partnership" text NOT NULL, "decision" text NOT NULL, "reasons" jsonb NOT NULL, "agreement" jsonb, "obligations" jsonb, "status" text NOT NULL, "grant_id" text, "request_hash" text, "deadline_at" TIMESTAMP WITH TIME ZONE NOT NULL, "dispatched_at" TIMESTAMP WITH TIME ZONE, "match" jsonb, "records_sealed" text, "failure_code" text, "responded_at" TIMESTAMP WITH TIME ZONE, "late" boolean NOT NULL DEFAULT false, CONSTRAINT "PK_57e6025711b2fa042f15a1fdde7" PRIMARY KEY ("query_id", "agency"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_7eea16634b86ad0a39547b66ea" ON "federated_query_agency" ("status", "deadline_at") `,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_7eea16634b86ad0a39547b66ea"`);
    await q.query(`DROP TABLE "federated_query_agency"`);
    await q.query(`DROP INDEX "public"."IDX_22b9938c899a4a2056ab87f069"`);
    await q.query(`DROP TABLE "federated_query"`);
    await q.query(`DROP INDEX "public"."IDX_cd507e9c8bb96a665a93006a84"`);
    await q.query(`DROP TABLE "outbox_message"`);
    await q.query(`DROP INDEX "public"."IDX_56486f27fef92e2a8f3ee6beda"`);
    await q.query(`DROP TABLE "consent_decision"`);
    await q.query(`DROP INDEX "public"."IDX_2ce4f069f5df6130cee743e51d"`);
    await q.query(`DROP TABLE "mash_case"`);
    await q.query(`DROP INDEX "public"."IDX_d73a07a094adb475208d4a2c08"`);
    await q.query(`DROP TABLE "agreement_version"`);
  }
}
