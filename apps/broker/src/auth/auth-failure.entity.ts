import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Failed sign-ins per client in the current window, shared by every broker instance. */
@Entity({ name: 'auth_failure_window' })
export class AuthFailureWindowEntity {
  /** SHA-256 of the client key (an address, or `no-token`): no address is stored. */
  @PrimaryColumn('text', { name: 'client_hash' })
  clientHash!: string;

  @Column('timestamptz', { name: 'window_start' })
  windowStart!: Date;

  @Column('int')
  failures!: number;
}
