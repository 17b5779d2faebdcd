import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Agency availability (issue 16): the last heartbeat of each agency's adapter, shared by every
 * broker instance, and the "data as of" an agency's answer carried (generated, then committed).
 */
export class AgencyStatus1765600000000 implements MigrationInterface {
  name = 'AgencyStatus1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "adapter_heartbeat" ("agency" text NOT NULL, "instance" text NOT NULL, "adapter_version" text NOT NULL, "data_as_of" TIMESTAMP WITH TIME ZONE, "sent_at" TIMESTAMP WITH TIME ZONE NOT NULL, "heard_at" TIMESTAMP WITH TIME ZONE NOT NULL, "interval_seconds" integer NOT NULL, CONSTRAINT "PK_b6c92b63bf2f02e2ee5e42a4363" PRIMARY KEY ("agency"))`,
    );
    await q.query(`ALTER TABLE "federated_query_agency" ADD "data_as_of" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "federated_query_agency" DROP COLUMN "data_as_of"`);
    await q.query(`DROP TABLE "adapter_heartbeat"`);
  }
}
