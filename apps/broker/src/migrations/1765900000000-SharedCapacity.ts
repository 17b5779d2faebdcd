import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several broker instances (issue 16): an agency's hourly capacity is counted in PostgreSQL
 * (`capacity_slot`) rather than in each process, so two instances share one limit (generated from
 * the entity, then committed). The last hour's dispatches are carried over, so an upgrade does not
 * hand out a fresh hour (a household's query counts once per agency, as it always has).
 */
export class SharedCapacity1765900000000 implements MigrationInterface {
  name = 'SharedCapacity1765900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "capacity_slot" ("id" BIGSERIAL NOT NULL, "partnership" text NOT NULL, "agency" text NOT NULL, "taken_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_940b98879d9caa5ddc8cb18c1ca" PRIMARY KEY ("id"))`,
    );
    await q.query(
      `CREATE INDEX "IDX_30e43500aee4ee975fc3e84799" ON "capacity_slot" ("partnership", "agency", "taken_at") `,
    );
    await q.query(
      `INSERT INTO capacity_slot (partnership, agency, taken_at)
       SELECT partnership, agency, min(dispatched_at) FROM federated_query_agency
        WHERE dispatched_at > now() - interval '1 hour'
        GROUP BY partnership, agency, query_id`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "public"."IDX_30e43500aee4ee975fc3e84799"`);
    await q.query(`DROP TABLE "capacity_slot"`);
  }
}
