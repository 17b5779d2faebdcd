import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** The database's side of the health check. */
@Injectable()
export class HealthRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Whether PostgreSQL answers a trivial query. */
  databaseUp(): Promise<boolean> {
    return this.dataSource
      .query('SELECT 1')
      .then(() => true)
      .catch(() => false);
  }

  /** Whether PostgreSQL's autovacuum is on (null when it cannot be read). */
  autovacuumOn(): Promise<boolean | null> {
    return this.dataSource
      .query(`SELECT current_setting('autovacuum') = 'on' AS on`)
      .then((rows: Array<{ on: boolean }>) => rows[0]?.on ?? null)
      .catch(() => null);
  }
}
