import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One change to a query, written by database triggers (migration `QueryEvents1765300000000`) in
 * the transaction that makes it, whichever code path or broker instance that is: an agency's part
 * changed status (answered, timed out, failed, released from the capacity queue), or, with
 * `agency` null, the query's own status did. Ids and statuses only, never personal data. `seq` is
 * the Server-Sent Events id: the triggers take the query's row lock before numbering, so one
 * query's events are numbered in commit order and a reconnecting client misses none.
 */
@Entity({ name: 'query_event' })
@Index(['queryId', 'seq'])
@Index(['at'])
export class QueryEventEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  seq!: string;

  @Column({ name: 'query_id', type: 'uuid' })
  queryId!: string;

  /** Null when the query's own status changed. */
  @Column({ type: 'text', nullable: true })
  agency!: string | null;

  /** The household member the part is about, when parts are per member. */
  @Column({ name: 'member_id', type: 'text', nullable: true })
  memberId!: string | null;

  @Column({ type: 'text' })
  status!: string;

  /** Database time, so every broker instance measures recent answers on one clock. */
  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;
}
