import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** This process, as a claim holder: the host (pod) name and a per-start suffix. */
const HOLDER = `${hostname().slice(0, 60)}:${randomUUID().slice(0, 8)}`;

/**
 * Row claims for jobs that must run once per interval across every broker instance (audit
 * checkpoints): the first instance to claim a job's row for the interval runs the pass; the
 * others find it claimed and skip. A claim lapses by time, so an instance killed mid-interval
 * holds nothing after it. Times are the database's, the one clock every instance shares.
 */
@Injectable()
export class JobClaimRepository {
  readonly holder = HOLDER;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when this instance now holds `name` for the next `forMs` (slightly less, for jitter). */
  async claim(name: string, forMs: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `INSERT INTO job_claim (name, holder, claimed_until)
       VALUES ($1, $2, now() + make_interval(secs => $3))
       ON CONFLICT (name) DO UPDATE SET holder = EXCLUDED.holder, claimed_until = EXCLUDED.claimed_until
       WHERE job_claim.claimed_until <= now()
       RETURNING name`,
      [name, this.holder, (forMs * 0.9) / 1000],
    )) as unknown[];
    return rows.length > 0;
  }
}
