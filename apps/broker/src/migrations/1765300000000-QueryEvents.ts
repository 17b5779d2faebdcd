import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The query event log behind `GET /api/v1/queries/:id/events` and admission control (issue 15):
 * the table is generated from `QueryEventEntity`; the triggers are written by hand. Every change
 * of a part's or a query's status, by any code path on any broker instance, adds a row and
 * notifies `mash_query_events` with the query id (ids only: a notification is visible to every
 * session of the database), in the transaction that makes the change, so a listener never hears
 * of a change that was rolled back.
 */
export class QueryEvents1765300000000 implements MigrationInterface {
  name = 'QueryEvents1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "query_event" ("seq" BIGSERIAL NOT NULL, "query_id" uuid NOT NULL, "agency" text, "member_id" text, "status" text NOT NULL, "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_a186ca24ea6c8f720a199054a04" PRIMARY KEY ("seq"))`,
    );
    await q.query(`CREATE INDEX "IDX_0a447163f52c64555dfaf97f75" ON "query_event" ("at") `);
    await q.query(
      `CREATE INDEX "IDX_3f06a954822b596c11c5ad8699" ON "query_event" ("query_id", "seq") `,
    );
    // The query's row lock before numbering: two answers for one query committing in the other
    // order than they took their numbers would let a reader that saw the later number skip the
    // earlier one. The answer path takes this lock anyway (refreshStatus), only later.
    // member_id is read through jsonb so the trigger works whether or not parts name a member.
    await q.query(`
      CREATE FUNCTION mash_query_part_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM 1 FROM federated_query WHERE id = NEW.query_id FOR UPDATE;
        INSERT INTO query_event (query_id, agency, member_id, status)
          VALUES (NEW.query_id, NEW.agency, to_jsonb(NEW) ->> 'member_id', NEW.status);
        PERFORM pg_notify('mash_query_events', NEW.query_id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE FUNCTION mash_query_status_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO query_event (query_id, agency, status) VALUES (NEW.id, NULL, NEW.status);
        PERFORM pg_notify('mash_query_events', NEW.id::text);
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER query_part_event AFTER UPDATE OF status ON federated_query_agency
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION mash_query_part_event()`);
    await q.query(`
      CREATE TRIGGER query_status_event AFTER UPDATE OF status ON federated_query
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
        EXECUTE FUNCTION mash_query_status_event()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER query_status_event ON federated_query`);
    await q.query(`DROP TRIGGER query_part_event ON federated_query_agency`);
    await q.query(`DROP FUNCTION mash_query_status_event()`);
    await q.query(`DROP FUNCTION mash_query_part_event()`);
    await q.query(`DROP INDEX "public"."IDX_3f06a954822b596c11c5ad8699"`);
    await q.query(`DROP INDEX "public"."IDX_0a447163f52c64555dfaf97f75"`);
    await q.query(`DROP TABLE "query_event"`);
  }
}
