import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HealthRepository } from './health.repository';

/**
 * Says at start when PostgreSQL runs without autovacuum: the broker's queue tables
 * (`audit_pending`, `outbox_message`) and query parts then keep every dead row, and the admission
 * check and the audit sequencer slow with each hour of use (docs/operations.md).
 */
@Injectable()
export class DatabaseSettingsCheck implements OnApplicationBootstrap {
  private readonly logger = new Logger('Database');

  constructor(private readonly health: HealthRepository) {}

  async onApplicationBootstrap(): Promise<void> {
    if ((await this.health.autovacuumOn()) === false)
      this.logger.warn(
        'PostgreSQL autovacuum is off: the queue tables keep their dead rows and the broker slows over time; turn it on (docs/operations.md, "Keep autovacuum on")',
      );
  }
}
