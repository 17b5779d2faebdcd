import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Several broker instances (issue 16): sign-in failure counts and once-per-interval job claims
 * move from each process into PostgreSQL (generated from the entities, then committed).
 */
export class SharedInstanceState1765600100000 implements MigrationInterface {
  name = 'SharedInstanceState1765600100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "auth_failure_window" ("client_hash" text NOT NULL, "window_start" TIMESTAMP WITH TIME ZONE NOT NULL, "failures" integer NOT NULL, CONSTRAINT "PK_dae13028d80e32be36d626dafc4" PRIMARY KEY ("client_hash"))`,
    );
    await q.query(
      `CREATE TABLE "job_claim" ("name" text NOT NULL, "holder" text NOT NULL, "claimed_until" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_71c281cb50d6beff04d8e47c789" PRIMARY KEY ("name"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "job_claim"`);
    await q.query(`DROP TABLE "auth_failure_window"`);
  }
}
