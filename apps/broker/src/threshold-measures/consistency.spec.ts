import fc from 'fast-check';
import { RAGS } from '@mash/thresholds';
import { consistencyReport, type RatedCase } from './consistency';

const label = (actor: string) => `staff-${actor}`;

describe(consistencyReport.name, () => {
  const sut = consistencyReport;

  it('counts first ratings changed overall, by concern and by the person who made them', () => {
    const cases: RatedCase[] = [
      { concerns: ['neglect'], firstRatedBy: 'ann', changes: [{ from: 'amber', to: 'red' }] },
      {
        concerns: ['neglect', 'domestic-abuse'],
        firstRatedBy: 'ann',
        changes: [
          { from: 'amber', to: 'green' },
          { from: 'green', to: 'red' },
        ],
      },
      { concerns: ['domestic-abuse'], firstRatedBy: 'bob', changes: [] },
      { concerns: ['physical-abuse'], firstRatedBy: 'bob', changes: [] },
    ];
    const report = sut({ cases, agencies: [], periodHours: 24, label, caller: 'bob' });
    expect(report.overall).toEqual({ rated: 4, rerated: 2, rate: 0.5, raised: 1, lowered: 1 });
    expect(report.byConcern).toEqual([
      { concern: 'domestic-abuse', rated: 2, rerated: 1, rate: 0.5, raised: 0, lowered: 1 },
      { concern: 'neglect', rated: 2, rerated: 2, rate: 1, raised: 1, lowered: 1 },
      { concern: 'physical-abuse', rated: 1, rerated: 0, rate: 0, raised: 0, lowered: 0 },
    ]);
    expect(report.byAnalyst).toEqual([
      { analyst: 'staff-ann', rated: 2, rerated: 2, rate: 1, raised: 1, lowered: 1 },
      { analyst: 'staff-bob', you: true, rated: 2, rerated: 0, rate: 0, raised: 0, lowered: 0 },
    ]);
  });

  it('sets what each agency was asked against its capacity for the period and its busiest hour', () => {
    const report = sut({
      cases: [],
      agencies: [
        { agency: 'police', asked: 300, busiestHour: 120, queriesPerHour: 120 },
        { agency: 'health', asked: 12, busiestHour: 3, queriesPerHour: null },
      ],
      periodHours: 24,
      label,
      caller: 'x',
    });
    expect(report.overall.rate).toBeNull();
    expect(report.agencies).toEqual([
      expect.objectContaining({ agency: 'health', capacityInPeriod: null, utilisation: null }),
      expect.objectContaining({
        agency: 'police',
        capacityInPeriod: 2880,
        utilisation: 0.104,
        peakUtilisation: 1,
      }),
    ]);
  });

  it('never counts more re-rated than rated, and raised plus lowered is re-rated, in every group', () => {
    const rag = fc.constantFrom(...RAGS);
    const change = fc
      .tuple(rag, rag)
      .filter(([a, b]) => a !== b)
      .map(([from, to]) => ({ from, to }));
    const ratedCase = fc.record({
      concerns: fc.array(fc.constantFrom('neglect', 'domestic-abuse', 'physical-abuse'), {
        minLength: 1,
        maxLength: 3,
      }),
      firstRatedBy: fc.constantFrom('ann', 'bob', 'cy'),
      changes: fc.array(change, { maxLength: 3 }),
    });
    fc.assert(
      fc.property(fc.array(ratedCase, { maxLength: 30 }), (cases) => {
        const report = sut({ cases, agencies: [], periodHours: 1, label, caller: 'ann' });
        for (const g of [report.overall, ...report.byConcern, ...report.byAnalyst]) {
          expect(g.rerated).toBeLessThanOrEqual(g.rated);
          expect(g.raised + g.lowered).toBe(g.rerated);
        }
        // Each case has one first rater: the analysts' rows add up to the whole.
        expect(report.byAnalyst.reduce((n, a) => n + a.rated, 0)).toBe(cases.length);
        expect(report.byAnalyst.reduce((n, a) => n + a.rerated, 0)).toBe(report.overall.rerated);
      }),
    );
  });
});
