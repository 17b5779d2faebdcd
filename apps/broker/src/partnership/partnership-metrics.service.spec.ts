import { newTestService, NOW } from '../../test/utils';
import { PartnershipMetricsRepository } from './partnership-metrics.repository';
import { PartnershipMetricsService } from './partnership-metrics.service';

const YEAR_MS = 365 * 24 * 60 * 60 * 1000;

describe(PartnershipMetricsService.name, () => {
  const setup = () => {
    const t = newTestService(PartnershipMetricsService);
    const repository = t.get(PartnershipMetricsRepository);
    repository.counts.mockResolvedValue({
      byAgency: [
        { key: 'education', n: 3 },
        { key: 'police', n: 1 },
      ],
      byRag: [{ key: 'red', n: 2 }],
      signposted: 1,
      deadlines: { on_time: 3, late: 0, open_overdue: 1, open_within: 0 },
      outcomes: [{ key: 'nfa', n: 2 }],
      reReferrals: 1,
    });
    return { sut: t.sut, repository };
  };

  it('refuses a period that ends before it starts', async () => {
    const { sut, repository } = setup();
    await expect(sut.compute('p1', NOW, new Date(NOW.getTime() - 1))).rejects.toMatchObject({
      code: 'METRICS.BAD_RANGE',
    });
    expect(repository.counts).not.toHaveBeenCalled();
  });

  it('counts the year to the calendar now by default, and turns counts into shares', async () => {
    const { sut, repository } = setup();
    const metrics = await sut.compute('p1');
    expect(repository.counts).toHaveBeenCalledWith(
      'p1',
      new Date(NOW.getTime() - YEAR_MS),
      NOW,
      NOW,
    );
    expect(metrics).toMatchObject({
      referrals: 4,
      referralsByAgency: { education: 3, police: 1 },
      ragMix: { red: 2, amber: 0, green: 0 },
      deadlines: { decidedOnTime: 3, openOverdue: 1, shareWithinDeadline: 0.75 },
      outcomesByType: { nfa: 2 },
      reReferrals: { count: 1, share: 0.25 },
    });
  });
});
