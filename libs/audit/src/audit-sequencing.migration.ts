import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Deferred sequencing (see `AuditSequencer`): business transactions insert their entries into
 * `audit_pending` with no position and no chain lock; the sequencer moves them onto the chain.
 *
 * `audit_pending` refuses UPDATE and TRUNCATE like the other audit tables, and refuses DELETE of a
 * row that is not already on the chain (an `audit_event` row naming it in `pending_id`), so an
 * entry can leave the queue only by being sequenced. `audit_event.pending_id` is unique: an entry
 * is sequenced at most once.
 */
export class AuditSequencing1765000000000 implements MigrationInterface {
  name = 'AuditSequencing1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_event ADD COLUMN pending_id bigint`);
    await q.query(
      `ALTER TABLE audit_event ADD CONSTRAINT audit_event_pending_once UNIQUE (pending_id)`,
    );
    await q.query(`
      CREATE TABLE audit_pending (
        id                  bigserial   PRIMARY KEY,
        enqueued_at         timestamptz NOT NULL DEFAULT now(),
        chain_id            text        NOT NULL,
        occurred_at         timestamptz NOT NULL,
        partnership         text,
        actor_type          text        NOT NULL CHECK (actor_type IN ('user', 'service', 'agency')),
        actor_id            text        NOT NULL,
        actor_role          text,
        action              text        NOT NULL,
        outcome             text        NOT NULL CHECK (outcome IN ('success', 'failure', 'permit', 'deny')),
        case_id             text,
        query_id            text,
        agency              text,
        subject_pseudonyms  text[]      NOT NULL DEFAULT '{}',
        correlation_id      text,
        details             jsonb       NOT NULL DEFAULT '{}'::jsonb,
        content_hash        text        NOT NULL CHECK (content_hash ~ '^[0-9a-f]{64}$')
      )`);
    await q.query(`CREATE INDEX audit_pending_chain ON audit_pending (chain_id, id)`);
    await q.query(`
      CREATE FUNCTION audit_pending_leave() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NOT EXISTS (SELECT 1 FROM audit_event WHERE pending_id = OLD.id) THEN
          RAISE EXCEPTION 'audit_pending rows leave only when sequenced'
            USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN OLD;
      END $$`);
    await q.query(`CREATE TRIGGER audit_pending_append_only BEFORE UPDATE ON audit_pending
                   FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`CREATE TRIGGER audit_pending_sequenced_only BEFORE DELETE ON audit_pending
                   FOR EACH ROW EXECUTE FUNCTION audit_pending_leave()`);
    await q.query(`CREATE TRIGGER audit_pending_no_truncate BEFORE TRUNCATE ON audit_pending
                   FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
    await q.query(`REVOKE UPDATE, TRUNCATE ON audit_pending FROM PUBLIC`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_pending`);
    await q.query(`DROP FUNCTION IF EXISTS audit_pending_leave()`);
    await q.query(`ALTER TABLE audit_event DROP CONSTRAINT IF EXISTS audit_event_pending_once`);
    await q.query(`ALTER TABLE audit_event DROP COLUMN IF EXISTS pending_id`);
  }
}
