import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AdapterHeartbeatEntity } from './adapter-heartbeat.entity';

@Injectable()
export class AdapterHeartbeatRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Keeps the heartbeat unless a later one (by the adapter's signed send time) is already stored,
   * so a redelivered or replayed old heartbeat cannot make a silent adapter look alive.
   * Returns whether it was kept.
   */
  async record(beat: Omit<AdapterHeartbeatEntity, 'receivedAt'>): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO adapter_heartbeat
         (agency, instance, adapter_version, data_as_of, sent_at, heard_at, interval_seconds, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())
       ON CONFLICT (agency) DO UPDATE SET
         instance = EXCLUDED.instance, adapter_version = EXCLUDED.adapter_version,
         data_as_of = EXCLUDED.data_as_of, sent_at = EXCLUDED.sent_at,
         heard_at = EXCLUDED.heard_at, interval_seconds = EXCLUDED.interval_seconds,
         received_at = EXCLUDED.received_at
       WHERE adapter_heartbeat.sent_at < EXCLUDED.sent_at
       RETURNING agency`,
      [
        beat.agency,
        beat.instance,
        beat.adapterVersion,
        beat.dataAsOf,
        beat.sentAt,
        beat.heardAt,
        beat.intervalSeconds,
      ],
    )) as unknown[];
    return rows.length > 0;
  }

  /**
   * The agencies among `agencies` whose last heartbeat was stored more than `seconds` ago on the
   * database's clock. An agency never heard from has no row and is not among them.
   */
  async silentFor(agencies: readonly string[], seconds: number): Promise<string[]> {
    if (agencies.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT agency FROM adapter_heartbeat
        WHERE agency = ANY($1) AND received_at < now() - make_interval(secs => $2)`,
      [agencies, seconds],
    )) as Array<{ agency: string }>;
    return rows.map((r) => r.agency);
  }

  all(): Promise<AdapterHeartbeatEntity[]> {
    return this.dataSource.getRepository(AdapterHeartbeatEntity).find();
  }
}
