import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed heads carry the RFC 9162 Merkle root of the chain up to their position (`merkle.ts`), and
 * the frontier that lets the next checkpoint resume the tree instead of rehashing the whole chain.
 * Both nullable: checkpoints signed before stay as they were (and stay verifiable).
 */
export class AuditMerkle1765010000000 implements MigrationInterface {
  name = 'AuditMerkle1765010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE audit_checkpoint ADD COLUMN root_hash text CONSTRAINT audit_checkpoint_root_hash_check CHECK (root_hash ~ '^[0-9a-f]{64}$')`,
    );
    await q.query(`ALTER TABLE audit_checkpoint ADD COLUMN frontier jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_checkpoint DROP COLUMN frontier`);
    await q.query(`ALTER TABLE audit_checkpoint DROP COLUMN root_hash`);
  }
}
