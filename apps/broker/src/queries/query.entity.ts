import { Column, CreateDateColumn, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Obligations } from '@mash/policy';

export type QueryStatus = 'pending' | 'complete' | 'partial';
export type AgencyStatus =
  | 'pending'
  | 'queued'
  | 'match'
  | 'possible-match'
  | 'no-match'
  | 'denied'
  | 'timed-out'
  | 'failed';

@Entity({ name: 'federated_query' })
@Index(['partnership', 'caseId'])
export class QueryEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  purpose!: string;

  @Column({ type: 'text' })
  status!: QueryStatus;

  @Column({ name: 'requested_by', type: 'text' })
  requestedBy!: string;

  @Column({ name: 'requested_role', type: 'text' })
  requestedRole!: string;

  @Column({ name: 'deadline_at', type: 'timestamptz' })
  deadlineAt!: Date;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  /** Why this query was needed, in the analyst's words (encrypted at rest; deleted with the case's data). */
  @Column({ name: 'justification_sealed', type: 'text', nullable: true })
  justificationSealed!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** One agency's part of a query about one person: the policy decision, the grant sent, and the answer. */
@Entity({ name: 'federated_query_agency' })
@Index(['status', 'deadlineAt'])
export class QueryAgencyEntity {
  @PrimaryColumn({ name: 'query_id', type: 'uuid' })
  queryId!: string;

  @PrimaryColumn({ type: 'text' })
  agency!: string;

  /**
   * The person on the case this part asks about (`case_member.id`): the subject's id for the
   * child referred, a household member's otherwise. One grant per person and agency.
   */
  @PrimaryColumn({ name: 'member_id', type: 'uuid' })
  memberId!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  decision!: 'permit' | 'deny';

  @Column({ type: 'jsonb' })
  reasons!: Array<{ code: string; text: string }>;

  /** Agreement id, version and content hash the decision relied on. */
  @Column({ type: 'jsonb', nullable: true })
  agreement!: { id: string; version: number; hash: string } | null;

  /** Categories and fields (with masks) the agency may release. */
  @Column({ type: 'jsonb', nullable: true })
  obligations!: Obligations | null;

  @Column({ type: 'text' })
  status!: AgencyStatus;

  @Column({ name: 'grant_id', type: 'text', nullable: true })
  grantId!: string | null;

  @Column({ name: 'request_hash', type: 'text', nullable: true })
  requestHash!: string | null;

  @Column({ name: 'deadline_at', type: 'timestamptz' })
  deadlineAt!: Date;

  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt!: Date | null;

  @Column({ type: 'jsonb', nullable: true })
  match!: {
    confidence: number;
    method: string;
    evidence?: Array<{ field: string; outcome: string; weight?: number }>;
  } | null;

  /** Envelope-encrypted released records. */
  @Column({ name: 'records_sealed', type: 'text', nullable: true })
  recordsSealed!: string | null;

  @Column({ name: 'failure_code', type: 'text', nullable: true })
  failureCode!: string | null;

  @Column({ name: 'responded_at', type: 'timestamptz', nullable: true })
  respondedAt!: Date | null;

  /** How fresh the agency's source data was when it answered ("data as of"), when it said. */
  @Column({ name: 'data_as_of', type: 'timestamptz', nullable: true })
  dataAsOf!: Date | null;

  /**
   * How a `possible-match` was settled by the agency's representative: `reject` turns the part
   * into `no-match`; `confirm` leaves it a possible match the analyst may ask about again. The
   * note is envelope-encrypted. The broker never sees the candidate's records either way.
   */
  @Column({ type: 'jsonb', nullable: true })
  resolution!: {
    decision: 'confirm' | 'reject';
    by: string;
    at: string;
    noteSealed?: string;
  } | null;

  /** True when the answer arrived after the agency had been marked timed out. */
  @Column({ type: 'boolean', default: false })
  late!: boolean;
}
