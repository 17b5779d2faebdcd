import { Inject, Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { Clock } from '@mash/common';
import { AGENCIES, type Agency } from '@mash/contracts';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerMetrics } from '../metrics/broker-metrics';
import type { AdapterHeartbeatEntity } from './adapter-heartbeat.entity';
import { AdapterHeartbeatRepository } from './adapter-heartbeat.repository';

export interface AgencyStatusView {
  agency: Agency;
  /** `up` when its adapter was heard from within the allowed silence. */
  status: 'up' | 'down';
  /** When a broker last received its heartbeat; null if never. */
  lastHeardAt: string | null;
  /** How fresh the agency's source data is ("data as of"); null when unknown. */
  dataAsOf: string | null;
  adapterVersion: string | null;
}

export interface AgencyStatusReport {
  agencies: AgencyStatusView[];
  /** An adapter silent for longer than this is `down`. */
  silenceSeconds: number;
}

/**
 * Whether each agency's adapter is up, from the heartbeats every broker instance stores in
 * PostgreSQL, judged on the injected clock. Also the `mash_agency_up` and data-freshness gauges,
 * read from the same table when Prometheus scrapes, so every instance reports the same figures.
 */
@Injectable()
export class AgencyStatusService {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly heartbeats: AdapterHeartbeatRepository,
    private readonly directory: AgencyDirectory,
    private readonly clock: Clock,
    metrics: BrokerMetrics,
  ) {
    // prom-client awaits `collect` on each scrape; `this` inside it is the gauge.
    const read = () => this.heartbeats.all();
    const up = (beat: AdapterHeartbeatEntity | undefined) => this.isUp(beat);
    new Gauge({
      name: 'mash_agency_up',
      help: "1 when the agency's adapter was heard from within HEARTBEAT_SILENCE_SECONDS",
      labelNames: ['agency'],
      registers: [metrics.registry],
      async collect() {
        const beats = await read().catch(() => undefined);
        if (!beats) return;
        for (const agency of AGENCIES)
          this.set({ agency }, up(beats.find((b) => b.agency === agency)) ? 1 : 0);
      },
    });
    new Gauge({
      name: 'mash_agency_data_as_of_seconds',
      help: "Unix time of the agency's source data freshness, as its adapter last said",
      labelNames: ['agency'],
      registers: [metrics.registry],
      async collect() {
        const beats = await read().catch(() => undefined);
        if (!beats) return;
        this.reset();
        for (const b of beats)
          if (b.dataAsOf) this.set({ agency: b.agency }, b.dataAsOf.getTime() / 1000);
      },
    });
  }

  /** The agencies registered for the user's partnership. */
  async status(partnership: string): Promise<AgencyStatusReport> {
    const beats = await this.heartbeats.all();
    return {
      agencies: this.directory.registeredFor(partnership).map((agency) => {
        const beat = beats.find((b) => b.agency === agency);
        return {
          agency,
          status: this.isUp(beat) ? 'up' : 'down',
          lastHeardAt: beat?.heardAt.toISOString() ?? null,
          dataAsOf: beat?.dataAsOf?.toISOString() ?? null,
          adapterVersion: beat?.adapterVersion ?? null,
        };
      }),
      silenceSeconds: this.config.heartbeatSilenceSeconds,
    };
  }

  private isUp(beat: AdapterHeartbeatEntity | undefined): boolean {
    if (!beat) return false;
    return (
      this.clock.now().getTime() - beat.heardAt.getTime() <=
      this.config.heartbeatSilenceSeconds * 1000
    );
  }
}
