import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `audit_pending`'s delete guard checks each statement's deleted rows together, not row by row.
 *
 * The row trigger (`AuditSequencing1765000000000`) looked up `audit_event` once per entry, about
 * 28 lookups for each federated query, and PL/pgSQL keeps the plan it made the first time in a
 * session: where statistics are not refreshed (autovacuum off), a plan made while `audit_event`
 * was a page long went on scanning the whole table for every entry as it grew (pg_stat_statements
 * under load: 196 buffers a lookup at 3,400 entries). The statement trigger sees the deleted rows
 * as a transition table and plans one anti-join per statement with `EXECUTE`, so the plan always
 * fits the table as it is. What it refuses is unchanged: a statement that deletes any row not on
 * the chain fails, and with it the whole statement.
 */
export class AuditPendingGuard1766400000000 implements MigrationInterface {
  name = 'AuditPendingGuard1766400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_pending_sequenced_only ON audit_pending`);
    await q.query(`DROP FUNCTION audit_pending_leave()`);
    await q.query(`
      CREATE FUNCTION audit_pending_leave() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        unsequenced boolean;
      BEGIN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM gone g
                                 WHERE NOT EXISTS (SELECT 1 FROM audit_event e WHERE e.pending_id = g.id))'
           INTO unsequenced;
        IF unsequenced THEN
          RAISE EXCEPTION 'audit_pending rows leave only when sequenced'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER audit_pending_sequenced_only AFTER DELETE ON audit_pending
                   REFERENCING OLD TABLE AS gone
                   FOR EACH STATEMENT EXECUTE FUNCTION audit_pending_leave()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER audit_pending_sequenced_only ON audit_pending`);
    await q.query(`DROP FUNCTION audit_pending_leave()`);
    await q.query(`
      CREATE FUNCTION audit_pending_leave() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_event WHERE pending_id = OLD.id) THEN
          RAISE EXCEPTION 'audit_pending rows leave only when sequenced'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER audit_pending_sequenced_only BEFORE DELETE ON audit_pending
                   FOR EACH ROW EXECUTE FUNCTION audit_pending_leave()`);
  }
}
