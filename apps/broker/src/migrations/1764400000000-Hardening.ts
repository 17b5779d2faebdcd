import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Security hardening (issue 17): receipts of agency audit events (replays are refused) and the
 * per-query justification, kept encrypted (generated from the entities, then committed).
 */
export class Hardening1764400000000 implements MigrationInterface {
  name = 'Hardening1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "agency_event_receipt" ("signed_hash" text NOT NULL, "message_id" uuid NOT NULL, "partnership" text NOT NULL, "agency" text NOT NULL, "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_agency_event_receipt" PRIMARY KEY ("signed_hash"))`,
    );
    await q.query(`ALTER TABLE "federated_query" ADD "justification_sealed" text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "federated_query" DROP COLUMN "justification_sealed"`);
    await q.query(`DROP TABLE "agency_event_receipt"`);
  }
}
