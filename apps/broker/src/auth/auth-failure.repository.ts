import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

@Injectable()
export class AuthFailureRepository {
  private calls = 0;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Counts one failure for the client and returns how many it has in the current window (a fixed
   * window, started by its first failure, on the database's clock), atomically, so failures
   * spread over several broker instances add up.
   */
  async add(clientHash: string, windowSeconds: number): Promise<number> {
    const rows = (await this.dataSource.query(
      `INSERT INTO auth_failure_window (client_hash, window_start, failures) VALUES ($1, now(), 1)
       ON CONFLICT (client_hash) DO UPDATE SET
         failures = CASE WHEN auth_failure_window.window_start <= now() - make_interval(secs => $2)
                         THEN 1 ELSE auth_failure_window.failures + 1 END,
         window_start = CASE WHEN auth_failure_window.window_start <= now() - make_interval(secs => $2)
                             THEN now() ELSE auth_failure_window.window_start END
       RETURNING failures`,
      [clientHash, windowSeconds],
    )) as Array<{ failures: number }>;
    // Now and then, forget clients whose window ended long ago (no job needed for a small table).
    if ((this.calls = (this.calls + 1) % 500) === 0)
      await this.dataSource.query(
        `DELETE FROM auth_failure_window WHERE window_start < now() - make_interval(secs => $1)`,
        [windowSeconds * 2],
      );
    return Number(rows[0].failures);
  }
}
