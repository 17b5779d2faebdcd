import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AdapterHeartbeatRepository } from './adapter-heartbeat.repository';

/** The stable failure code of a query part settled because its agency was known down. */
export const AGENCY_UNAVAILABLE = 'AGENCY.UNAVAILABLE';

/**
 * Which agencies a new query need not wait for: their adapter is known down. Known down means
 * positive evidence, all three of:
 * - the adapter was heard from (a stored heartbeat): an agency never heard from is asked as usual
 *   and times out at the deadline if it is really absent;
 * - its last heartbeat was stored more than AGENCY_DOWN_GRACE_SECONDS ago, on the database's
 *   clock (wall time shared by every broker instance, whatever clock the broker decides with);
 * - this broker instance has itself been running for longer than that grace, so an instance that
 *   has just started (perhaps after every broker was down, while heartbeats waited in Kafka) does
 *   not judge an adapter by a row no one was there to refresh.
 */
@Injectable()
export class AgencyAvailability {
  private readonly startedAt = performance.now();

  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly heartbeats: AdapterHeartbeatRepository,
  ) {}

  async knownDown(agencies: readonly string[]): Promise<Set<string>> {
    const grace = this.config.agencyDownGraceSeconds;
    if (grace === 0 || agencies.length === 0) return new Set();
    if (performance.now() - this.startedAt < grace * 1000) return new Set();
    return new Set(await this.heartbeats.silentFor(agencies, grace));
  }
}
