import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `audit_event_partnership_seq (partnership, seq)`: every row of a partnership is on that
 * partnership's chain and `seq` rises along a chain, so searches page on the chain's unique
 * `(chain_id, chain_seq)` index instead (`AuditQuery.search`): one index fewer for every sequenced
 * entry to update (it held 11 MB for 174,000 entries in the audit benchmark, three times the
 * primary key). The other search indexes each serve a filter no other index does (libs/audit/README.md).
 */
export class AuditIndexes1766100000000 implements MigrationInterface {
  name = 'AuditIndexes1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX audit_event_partnership_seq`);
    // A search names both (partnership = chain_id = $1); without this the planner takes them as
    // independent, underestimates the rows and ANDs two index scans where one ordered scan does.
    await q.query(
      `CREATE STATISTICS audit_event_chain_partnership (dependencies) ON chain_id, partnership FROM audit_event`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP STATISTICS IF EXISTS audit_event_chain_partnership`);
    await q.query(`CREATE INDEX audit_event_partnership_seq ON audit_event (partnership, seq)`);
  }
}
