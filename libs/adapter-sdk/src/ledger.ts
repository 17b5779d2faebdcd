import { Column, Entity, PrimaryColumn, type MigrationInterface, type QueryRunner } from 'typeorm';
import { AdapterFileImports1797000000000 } from './files/store';
import {
  AdapterStore1796000000000,
  MashOutcomeEntity,
  MatchIndexStateEntity,
  MatchKeyEntity,
  MatchModelEntity,
} from './source-tables';

/**
 * Every grant this adapter has acted on. The primary key refuses a replayed grant id even
 * after a restart; the stored reply (already encrypted to the broker) lets a redelivered
 * message be answered again without touching the source.
 */
@Entity({ name: 'sdk_grant_ledger' })
export class GrantLedgerEntry {
  @PrimaryColumn({ name: 'grant_id', type: 'text' })
  grantId!: string;

  @Column({ name: 'message_id', type: 'uuid' })
  messageId!: string;

  @Column({ name: 'query_id', type: 'uuid' })
  queryId!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  status!: 'processing' | 'answered';

  @Column({ name: 'reply_body', type: 'text', nullable: true })
  replyBody!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt!: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;
}

/** Outcomes the MASH fed back; `outcome_id` makes recording idempotent. */
@Entity({ name: 'sdk_outcome_inbox' })
export class OutcomeInboxEntry {
  @PrimaryColumn({ name: 'outcome_id', type: 'uuid' })
  outcomeId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}

/**
 * Actions MASH meetings gave this agency; `action_id` makes recording idempotent. The action's
 * words are not kept here: they go to the source system's own task list through the connector.
 */
@Entity({ name: 'sdk_action_inbox' })
export class ActionInboxEntry {
  @PrimaryColumn({ name: 'action_id', type: 'uuid' })
  actionId!: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt!: Date;
}

export class AdapterSdkSchema1764150000000 implements MigrationInterface {
  name = 'AdapterSdkSchema1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "sdk_grant_ledger" (
      "grant_id" text PRIMARY KEY,
      "message_id" uuid NOT NULL,
      "query_id" uuid NOT NULL,
      "partnership" text NOT NULL,
      "status" text NOT NULL,
      "reply_body" text,
      "created_at" timestamptz NOT NULL DEFAULT now(),
      "answered_at" timestamptz
    )`);
    await q.query(`CREATE TABLE "sdk_outcome_inbox" (
      "outcome_id" uuid PRIMARY KEY,
      "case_id" uuid NOT NULL,
      "received_at" timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sdk_outcome_inbox"`);
    await q.query(`DROP TABLE "sdk_grant_ledger"`);
  }
}

export class AdapterSdkActionInbox1765200000000 implements MigrationInterface {
  name = 'AdapterSdkActionInbox1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "sdk_action_inbox" (
      "action_id" uuid PRIMARY KEY,
      "meeting_id" uuid NOT NULL,
      "case_id" uuid NOT NULL,
      "due_at" timestamptz NOT NULL,
      "received_at" timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "sdk_action_inbox"`);
  }
}

/** Everything the SDK keeps in the adapter's own database (its store), never in the source. */
export const AdapterSdkEntities = [
  GrantLedgerEntry,
  OutcomeInboxEntry,
  ActionInboxEntry,
  MashOutcomeEntity,
  MatchKeyEntity,
  MatchModelEntity,
  MatchIndexStateEntity,
];
export const AdapterSdkMigrations = [
  AdapterSdkSchema1764150000000,
  AdapterSdkActionInbox1765200000000,
  AdapterStore1796000000000,
  AdapterFileImports1797000000000,
];
