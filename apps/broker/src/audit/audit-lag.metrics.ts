import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { AuditContextRepository } from './audit-context.repository';

/**
 * The audit sequencing lag, read from `audit_pending` when Prometheus scrapes, so every broker
 * instance reports the same figures: how many committed entries wait for their chain position and
 * how long the oldest has waited. A growing lag means the sequencer has stopped (no instance holds
 * its claim, or its transactions fail), and the audit log is behind what happened.
 */
@Injectable()
export class AuditLagMetrics {
  constructor(repository: AuditContextRepository, metrics: BrokerMetrics) {
    // One read per scrape serves both gauges; prom-client awaits `collect` for each.
    let read: Promise<{ waiting: number; oldestSeconds: number } | undefined> | undefined;
    const lag = () => {
      read ??= repository
        .sequencingLag()
        .catch(() => undefined)
        .finally(() => setTimeout(() => (read = undefined), 0));
      return read;
    };
    new Gauge({
      name: 'mash_audit_pending',
      help: 'Audit entries committed and waiting for their chain position',
      registers: [metrics.registry],
      async collect() {
        const found = await lag();
        if (found) this.set(found.waiting);
      },
    });
    new Gauge({
      name: 'mash_audit_pending_oldest_seconds',
      help: 'How long the oldest audit entry waiting for its chain position has waited',
      registers: [metrics.registry],
      async collect() {
        const found = await lag();
        if (found) this.set(found.oldestSeconds);
      },
    });
  }
}
