import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a broker stored each adapter's last heartbeat, on the database's clock: a query to an
 * agency silent longer than AGENCY_DOWN_GRACE_SECONDS is settled at once (issue 16). Rows kept
 * from before count as stored now, so an upgrade never makes an agency look down.
 */
export class HeartbeatReceivedAt1765800000000 implements MigrationInterface {
  name = 'HeartbeatReceivedAt1765800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE "adapter_heartbeat" ADD "received_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now()`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "adapter_heartbeat" DROP COLUMN "received_at"`);
  }
}
