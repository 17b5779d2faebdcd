import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The last heartbeat each agency's adapter sent: one row per agency, shared by every broker. */
@Entity({ name: 'adapter_heartbeat' })
export class AdapterHeartbeatEntity {
  @PrimaryColumn('text')
  agency!: string;

  /** The adapter process that sent it (a host or pod name). */
  @Column('text')
  instance!: string;

  @Column('text', { name: 'adapter_version' })
  adapterVersion!: string;

  /** How fresh the agency's source data was, as the adapter said; null when it cannot say. */
  @Column('timestamptz', { name: 'data_as_of', nullable: true })
  dataAsOf!: Date | null;

  /** The adapter's own time of sending (signed): later heartbeats only ever replace earlier ones. */
  @Column('timestamptz', { name: 'sent_at' })
  sentAt!: Date;

  /** When a broker received it, on the broker's clock: what up and down are judged by. */
  @Column('timestamptz', { name: 'heard_at' })
  heardAt!: Date;

  /**
   * When a broker stored it, on the database's clock (wall time, one clock for every broker
   * instance): what "known down" is judged by, since `heard_at` follows the broker's injected clock.
   */
  @Column('timestamptz', { name: 'received_at', default: () => 'now()' })
  receivedAt!: Date;

  @Column('int', { name: 'interval_seconds' })
  intervalSeconds!: number;
}
