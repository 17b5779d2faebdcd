import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Creates `audit_event` and `audit_checkpoint`, both append-only: a trigger raises on UPDATE,
 * DELETE and TRUNCATE, and PUBLIC loses those privileges.
 *
 * A table's owner (and any superuser) can still `ALTER TABLE … DISABLE TRIGGER`. In production the
 * broker's database role must therefore NOT own these tables: run migrations as a separate owner
 * role and grant the app role only `SELECT, INSERT` on the tables and `USAGE` on the sequences.
 * In development the app may connect as a superuser; the trigger still stops accidental edits.
 */
export class AuditSchema1700000000000 implements MigrationInterface {
  name = 'AuditSchema1700000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_event (
        seq                 bigserial PRIMARY KEY,
        chain_id            text        NOT NULL,
        chain_seq           bigint      NOT NULL CHECK (chain_seq >= 1),
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
        prev_hash           text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
        hash                text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
        CONSTRAINT audit_event_chain_position UNIQUE (chain_id, chain_seq)
      )`);
    // Every auditor search is scoped to one partnership and pages by seq.
    await q.query(`CREATE INDEX audit_event_partnership_seq ON audit_event (partnership, seq)`);
    await q.query(
      `CREATE INDEX audit_event_partnership_time ON audit_event (partnership, occurred_at)`,
    );
    await q.query(
      `CREATE INDEX audit_event_actor ON audit_event (partnership, actor_id, occurred_at)`,
    );
    await q.query(
      `CREATE INDEX audit_event_case ON audit_event (partnership, case_id) WHERE case_id IS NOT NULL`,
    );
    await q.query(`CREATE INDEX audit_event_subject ON audit_event USING gin (subject_pseudonyms)`);
    await q.query(
      `CREATE INDEX audit_event_action ON audit_event (partnership, action, occurred_at)`,
    );
    await q.query(
      `CREATE INDEX audit_event_correlation ON audit_event (correlation_id) WHERE correlation_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE audit_checkpoint (
        id          bigserial   PRIMARY KEY,
        chain_id    text        NOT NULL,
        chain_seq   bigint      NOT NULL,
        head_hash   text        NOT NULL CHECK (head_hash ~ '^[0-9a-f]{64}$'),
        signed_at   timestamptz NOT NULL,
        kid         text        NOT NULL,
        signature   text        NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_checkpoint_chain ON audit_checkpoint (chain_id, chain_seq)`);

    await q.query(`
      CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit tables are append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_event', 'audit_checkpoint']) {
      await q.query(`CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
                     FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
                     FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()`);
      await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS audit_checkpoint`);
    await q.query(`DROP TABLE IF EXISTS audit_event`);
    await q.query(`DROP FUNCTION IF EXISTS audit_refuse_change()`);
  }
}
