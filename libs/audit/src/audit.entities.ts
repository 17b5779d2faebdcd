import { Check, Column, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/**
 * Read model of `audit_event`. Write only through `AuditLog`, which hashes and chains.
 * The decorators mirror `AuditSchema1700000000000` and the later audit migrations so a regenerated
 * migration is empty; the search indexes are owned by the migrations (`synchronize: false`).
 */
@Entity({ name: 'audit_event' })
@Unique('audit_event_chain_position', ['chainId', 'chainSeq'])
@Unique('audit_event_pending_once', ['pendingId'])
@Check('audit_event_chain_seq_check', `chain_seq >= 1`)
@Check('audit_event_actor_type_check', `actor_type IN ('user', 'service', 'agency')`)
@Check('audit_event_outcome_check', `outcome IN ('success', 'failure', 'permit', 'deny')`)
@Check('audit_event_prev_hash_check', `prev_hash ~ '^[0-9a-f]{64}$'`)
@Check('audit_event_hash_check', `hash ~ '^[0-9a-f]{64}$'`)
@Index('audit_event_partnership_time', { synchronize: false })
@Index('audit_event_actor', { synchronize: false })
@Index('audit_event_case', { synchronize: false })
@Index('audit_event_subject', { synchronize: false })
@Index('audit_event_action', { synchronize: false })
@Index('audit_event_correlation', { synchronize: false })
export class AuditEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'chain_id', type: 'text' })
  chainId!: string;

  @Column({ name: 'chain_seq', type: 'bigint' })
  chainSeq!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'text', nullable: true })
  partnership!: string | null;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: 'user' | 'service' | 'agency';

  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  outcome!: 'success' | 'failure' | 'permit' | 'deny';

  @Column({ name: 'case_id', type: 'text', nullable: true })
  caseId!: string | null;

  @Column({ name: 'query_id', type: 'text', nullable: true })
  queryId!: string | null;

  @Column({ type: 'text', nullable: true })
  agency!: string | null;

  @Column({ name: 'subject_pseudonyms', type: 'text', array: true, default: () => "'{}'" })
  subjectPseudonyms!: string[];

  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;

  @Column({ name: 'prev_hash', type: 'text' })
  prevHash!: string;

  @Column({ type: 'text' })
  hash!: string;

  /** The `audit_pending` row this entry was sequenced from; null when it was chained at once. Not hashed. */
  @Column({ name: 'pending_id', type: 'bigint', nullable: true })
  pendingId!: string | null;
}

/**
 * Read model of `audit_pending` (`AuditSequencing1765000000000`): entries written in a business
 * transaction, waiting for the sequencer to give them a chain position.
 */
@Entity({ name: 'audit_pending' })
@Check('audit_pending_actor_type_check', `actor_type IN ('user', 'service', 'agency')`)
@Check('audit_pending_outcome_check', `outcome IN ('success', 'failure', 'permit', 'deny')`)
@Check('audit_pending_content_hash_check', `content_hash ~ '^[0-9a-f]{64}$'`)
@Index('audit_pending_chain', { synchronize: false })
export class AuditPendingEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'enqueued_at', type: 'timestamptz', default: () => 'now()' })
  enqueuedAt!: Date;

  @Column({ name: 'chain_id', type: 'text' })
  chainId!: string;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt!: Date;

  @Column({ type: 'text', nullable: true })
  partnership!: string | null;

  @Column({ name: 'actor_type', type: 'text' })
  actorType!: 'user' | 'service' | 'agency';

  @Column({ name: 'actor_id', type: 'text' })
  actorId!: string;

  @Column({ name: 'actor_role', type: 'text', nullable: true })
  actorRole!: string | null;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  outcome!: 'success' | 'failure' | 'permit' | 'deny';

  @Column({ name: 'case_id', type: 'text', nullable: true })
  caseId!: string | null;

  @Column({ name: 'query_id', type: 'text', nullable: true })
  queryId!: string | null;

  @Column({ type: 'text', nullable: true })
  agency!: string | null;

  @Column({ name: 'subject_pseudonyms', type: 'text', array: true, default: () => "'{}'" })
  subjectPseudonyms!: string[];

  @Column({ name: 'correlation_id', type: 'text', nullable: true })
  correlationId!: string | null;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  details!: Record<string, unknown>;

  @Column({ name: 'content_hash', type: 'text' })
  contentHash!: string;
}

/** Read model of `audit_checkpoint`. */
@Entity({ name: 'audit_checkpoint' })
@Check('audit_checkpoint_head_hash_check', `head_hash ~ '^[0-9a-f]{64}$'`)
@Check('audit_checkpoint_root_hash_check', `root_hash ~ '^[0-9a-f]{64}$'`)
@Index('audit_checkpoint_chain', { synchronize: false })
export class AuditCheckpointEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'chain_id', type: 'text' })
  chainId!: string;

  @Column({ name: 'chain_seq', type: 'bigint' })
  chainSeq!: string;

  @Column({ name: 'head_hash', type: 'text' })
  headHash!: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt!: Date;

  @Column({ type: 'text' })
  kid!: string;

  @Column({ type: 'text' })
  signature!: string;

  /** RFC 9162 Merkle root over the chain's first `chainSeq` entries (`AuditMerkle1765010000000`). */
  @Column({ name: 'root_hash', type: 'text', nullable: true })
  rootHash!: string | null;

  /** Where the next checkpoint resumes the tree: a cache, never trusted by verification. */
  @Column({ type: 'jsonb', nullable: true })
  frontier!: { size: number; nodes: string[] } | null;
}
