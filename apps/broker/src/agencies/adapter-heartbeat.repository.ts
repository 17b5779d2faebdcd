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
  async record(beat: AdapterHeartbeatEntity): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO adapter_heartbeat
         (agency, instance, adapter_version, data_as_of, sent_at, heard_at, interval_seconds)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (agency) DO UPDATE SET
         instance = EXCLUDED.instance, adapter_version = EXCLUDED.adapter_version,
         data_as_of = EXCLUDED.data_as_of, sent_at = EXCLUDED.sent_at,
         heard_at = EXCLUDED.heard_at, interval_seconds = EXCLUDED.interval_seconds
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

  all(): Promise<AdapterHeartbeatEntity[]> {
    return this.dataSource.getRepository(AdapterHeartbeatEntity).find();
  }
}
