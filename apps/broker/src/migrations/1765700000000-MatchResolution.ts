import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Possible matches settled by an agency's representative (issue 13): how and by whom. */
export class MatchResolution1765700000000 implements MigrationInterface {
  name = 'MatchResolution1765700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "federated_query_agency" ADD "resolution" jsonb`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "federated_query_agency" DROP COLUMN "resolution"`);
  }
}
