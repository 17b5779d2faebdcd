import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { newTestService, NOW } from '../../test/utils';
import { AdapterHeartbeatEntity } from './adapter-heartbeat.entity';
import { AdapterHeartbeatRepository } from './adapter-heartbeat.repository';
import { AgencyStatusService } from './agency-status.service';

const beat = (agency: string, secondsAgo: number, dataAsOf: Date | null = null) =>
  Object.assign(new AdapterHeartbeatEntity(), {
    agency,
    instance: `${agency}-1`,
    adapterVersion: '1.2.3',
    dataAsOf,
    sentAt: new Date(NOW.getTime() - secondsAgo * 1000),
    heardAt: new Date(NOW.getTime() - secondsAgo * 1000),
    intervalSeconds: 30,
  });

describe(AgencyStatusService.name, () => {
  const setup = (beats: AdapterHeartbeatEntity[]) => {
    const metrics = new BrokerMetrics();
    const t = newTestService(AgencyStatusService, [
      [BROKER_CONFIG, { heartbeatSilenceSeconds: 90 } as BrokerConfig],
      [BrokerMetrics, metrics],
    ]);
    t.get(AdapterHeartbeatRepository).all.mockResolvedValue(beats);
    t.get(AgencyDirectory).registeredFor.mockReturnValue(['police', 'health', 'education']);
    return { sut: t.sut, metrics, heartbeats: t.get(AdapterHeartbeatRepository) };
  };

  it('calls an agency up while its adapter was heard within the allowed silence, down after', async () => {
    const asOf = new Date('2026-06-03T06:00:00.000Z');
    const { sut } = setup([beat('police', 90, asOf), beat('health', 91)]);
    const report = await sut.status('demo');
    expect(report.silenceSeconds).toBe(90);
    expect(report.agencies).toEqual([
      {
        agency: 'police',
        status: 'up',
        lastHeardAt: '2026-06-03T09:58:30.000Z',
        dataAsOf: asOf.toISOString(),
        adapterVersion: '1.2.3',
      },
      expect.objectContaining({ agency: 'health', status: 'down', dataAsOf: null }),
      // Never heard from: down, with nothing known.
      {
        agency: 'education',
        status: 'down',
        lastHeardAt: null,
        dataAsOf: null,
        adapterVersion: null,
      },
    ]);
  });

  it('lists only the agencies registered for the partnership', async () => {
    const { sut } = setup([beat('police', 0), beat('social-care', 0)]);
    const report = await sut.status('demo');
    expect(report.agencies.map((a) => a.agency)).toEqual(['police', 'health', 'education']);
  });

  it('reports the up and data-freshness gauges from the stored heartbeats when scraped', async () => {
    const asOf = new Date('2026-06-03T06:00:00.000Z');
    const { metrics } = setup([beat('police', 10, asOf), beat('health', 600)]);
    const up = await metrics.registry.getSingleMetric('mash_agency_up')!.get();
    const value = (agency: string) => up.values.find((v) => v.labels.agency === agency)?.value;
    expect(value('police')).toBe(1);
    expect(value('health')).toBe(0);
    expect(value('education')).toBe(0);
    const fresh = await metrics.registry.getSingleMetric('mash_agency_data_as_of_seconds')!.get();
    expect(fresh.values).toEqual([
      expect.objectContaining({ labels: { agency: 'police' }, value: asOf.getTime() / 1000 }),
    ]);
  });

  it('leaves the gauges as they were when the heartbeats cannot be read', async () => {
    const { metrics, heartbeats } = setup([beat('police', 10)]);
    const up = metrics.registry.getSingleMetric('mash_agency_up')!;
    expect((await up.get()).values.find((v) => v.labels.agency === 'police')?.value).toBe(1);
    heartbeats.all.mockRejectedValue(new Error('database down'));
    await expect(up.get()).resolves.toMatchObject({
      values: expect.arrayContaining([
        expect.objectContaining({ labels: { agency: 'police' }, value: 1 }),
      ]),
    });
  });
});
