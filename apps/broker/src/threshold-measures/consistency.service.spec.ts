import { loadThresholdMatrices } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { ThresholdService } from '../thresholds/threshold.service';
import { fakeKeys, newTestService, NOW, THRESHOLDS_DIR, user } from '../../test/utils';
import { ConsistencyRepository } from './consistency.repository';
import { ConsistencyService } from './consistency.service';

const demo = loadThresholdMatrices(THRESHOLDS_DIR).all('demo')[0].matrix;
const manager = user(['manager'], 'manager-1', 'demo');

describe(ConsistencyService.name, () => {
  const setup = () => {
    const t = newTestService(ConsistencyService, [[BrokerKeys, fakeKeys()]]);
    const repo = t.get(ConsistencyRepository);
    repo.ratedCases.mockResolvedValue([
      { concerns: ['neglect'], firstRatedBy: 'manager-1', changes: [{ from: 'amber', to: 'red' }] },
      { concerns: ['neglect'], firstRatedBy: 'analyst-7', changes: [] },
    ]);
    repo.agencyLoads.mockResolvedValue([{ agency: 'police', asked: 240, busiestHour: 60 }]);
    const thresholds = t.get(ThresholdService);
    thresholds.matrixAt.mockResolvedValue(demo);
    return { sut: t.sut, repo, thresholds, audit: t.get(AuditService) };
  };

  it('measures the last 28 London days by default, with the matrix in force now', async () => {
    const { sut, repo, thresholds, audit } = setup();
    const report = await sut.report(manager, {});
    expect(report.period).toEqual({
      from: '2026-05-07',
      to: '2026-06-03',
      timeZone: 'Europe/London',
    });
    // Local midnights in summer time are 23:00 UTC the day before.
    const start = new Date('2026-05-06T23:00:00.000Z');
    const end = new Date('2026-06-03T23:00:00.000Z');
    expect(repo.ratedCases).toHaveBeenCalledWith('demo', start, end);
    expect(repo.agencyLoads).toHaveBeenCalledWith('demo', start, end);
    expect(thresholds.matrixAt).toHaveBeenCalledWith('demo', NOW);
    expect(report.thresholdVersion).toBe(1);
    expect(report.overall).toMatchObject({ rated: 2, rerated: 1, raised: 1, lowered: 0 });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'threshold.consistency-viewed',
        actorRole: 'manager',
        details: { from: '2026-05-07', to: '2026-06-03' },
      }),
    );
  });

  it('measures capacity over the local days asked for, a day of 23 hours included', async () => {
    const { sut, thresholds } = setup();
    // The clocks go forward on 29 March 2026: the two days hold 47 hours.
    const report = await sut.report(manager, { from: '2026-03-28', to: '2026-03-29' });
    expect(thresholds.matrixAt).toHaveBeenCalledWith('demo', new Date('2026-03-29T23:00:00.000Z'));
    const police = report.agencies.find((a) => a.agency === 'police');
    expect(police).toMatchObject({ asked: 240, queriesPerHour: 120, capacityInPeriod: 120 * 47 });
    // Every agency is listed, asked or not.
    expect(report.agencies.find((a) => a.agency === 'health')).toMatchObject({ asked: 0 });
  });

  it('names analysts by a stable pseudonym and marks only the caller', async () => {
    const { sut } = setup();
    const first = await sut.report(manager, {});
    const again = await sut.report(manager, {});
    expect(again.byAnalyst).toEqual(first.byAnalyst);
    expect(first.byAnalyst).toHaveLength(2);
    for (const row of first.byAnalyst) expect(row.analyst).toMatch(/^staff-[0-9a-f]{10}$/);
    expect(JSON.stringify(first)).not.toMatch(/manager-1|analyst-7/);
    expect(first.byAnalyst.filter((r) => 'you' in r)).toEqual([
      expect.objectContaining({ you: true, rated: 1, rerated: 1 }),
    ]);
  });

  it.each([[{ from: '2026-06-04', to: '2026-06-03' }], [{ from: '2025-06-02', to: '2026-06-03' }]])(
    'refuses a period the wrong way round or longer than a year: %j',
    async (range) => {
      const { sut, repo, audit } = setup();
      await expect(sut.report(manager, range)).rejects.toMatchObject({
        code: 'THRESHOLD.BAD_RANGE',
      });
      expect(repo.ratedCases).not.toHaveBeenCalled();
      expect(audit.record).not.toHaveBeenCalled();
    },
  );
});
