import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Threshold matrices the partnership changes (issue 13, item 8): versions stored per partnership
 * (draft, activated by a second manager from a local date) and whether a partnership publishes its
 * matrix in force for others to compare against (generated from the entities, then committed).
 */
export class Thresholds1765500000000 implements MigrationInterface {
  name = 'Thresholds1765500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE TABLE "threshold_version" ("partnership" text NOT NULL, "version" integer NOT NULL, "status" text NOT NULL, "content" jsonb NOT NULL, "hash" text NOT NULL, "effective_from" date NOT NULL, "source" text NOT NULL, "created_by" text NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "activated_by" text, "activated_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "PK_878f9ae0a132780627373428e5e" PRIMARY KEY ("partnership", "version"))`,
    );
    await q.query(
      `CREATE TABLE "threshold_publication" ("partnership" text NOT NULL, "published" boolean NOT NULL, "changed_by" text NOT NULL, "changed_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_6178f8ed5951ff987443dab3a87" PRIMARY KEY ("partnership"))`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "threshold_publication"`);
    await q.query(`DROP TABLE "threshold_version"`);
  }
}
