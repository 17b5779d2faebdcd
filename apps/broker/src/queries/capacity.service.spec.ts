import type { ThresholdMatrix } from '@mash/thresholds';
import { Clock, type PinnedClock } from '@mash/common';
import { frozenClock, newTestService, NOW } from '../../test/utils';
import { ThresholdService } from '../thresholds/threshold.service';
import { CapacityRepository } from './capacity.repository';
import { CapacityService } from './capacity.service';
import { QueryRepository } from './query.repository';

const MINUTE = 60 * 1000;

describe(CapacityService.name, () => {
  const setup = (queriesPerHour?: number) => {
    const clock: PinnedClock = frozenClock();
    const t = newTestService(CapacityService, [[Clock, clock]]);
    const thresholds = t.get(ThresholdService);
    thresholds.matrixFor.mockReturnValue({
      capacity: queriesPerHour === undefined ? {} : { police: { queriesPerHour } },
    } as unknown as ThresholdMatrix);
    const queue = t.get(CapacityRepository);
    queue.hasWaiting.mockResolvedValue(false);
    const queries = t.get(QueryRepository);
    queries.dispatchedSince.mockResolvedValue([]);
    return { sut: t.sut, clock, queue, queries };
  };

  it('admits everything to an agency without a limit, without asking the queue', async () => {
    const { sut, queue } = setup();
    await expect(sut.admit('p1', 'police')).resolves.toBe(true);
    expect(queue.hasWaiting).not.toHaveBeenCalled();
  });

  it('lets no new request jump requests already waiting', async () => {
    const { sut, queue } = setup(10);
    queue.hasWaiting.mockResolvedValue(true);
    await expect(sut.admit('p1', 'police')).resolves.toBe(false);
  });

  it("counts the last hour's dispatches from the database, and frees slots as the hour moves on", async () => {
    const { sut, clock, queries } = setup(2);
    queries.dispatchedSince.mockResolvedValue([new Date(NOW.getTime() - 30 * MINUTE)]);
    await expect(sut.admit('p1', 'police')).resolves.toBe(true);
    await expect(sut.admit('p1', 'police')).resolves.toBe(false);
    expect(queries.dispatchedSince).toHaveBeenCalledWith(
      'p1',
      'police',
      new Date(NOW.getTime() - 60 * MINUTE),
    );
    clock.advance(31 * MINUTE);
    expect(sut.take('p1', 'police')).toBe(true);
    expect(sut.take('p1', 'police')).toBe(false);
  });

  it('gives back a slot taken for a request that could not be sent', async () => {
    const { sut } = setup(1);
    await sut.seed('p1', 'police');
    expect(sut.take('p1', 'police')).toBe(true);
    expect(sut.take('p1', 'police')).toBe(false);
    sut.giveBack('p1', 'police');
    expect(sut.take('p1', 'police')).toBe(true);
  });

  it("places a waiting request behind a red case's, whatever their arrival", async () => {
    const { sut, queue } = setup(1);
    queue.withCases.mockResolvedValue([
      {
        id: 'green-early',
        enqueuedAt: new Date(NOW.getTime() - 10 * MINUTE),
        rag: 'green',
        dueAt: null,
      },
      { id: 'red-late', enqueuedAt: NOW, rag: 'red', dueAt: null },
    ]);
    await expect(sut.placeInQueue('p1', 'police', 'green-early')).resolves.toMatchObject({
      position: 2,
    });
    await expect(sut.placeInQueue('p1', 'police', 'red-late')).resolves.toMatchObject({
      position: 1,
    });
    await expect(sut.placeInQueue('p1', 'police', 'not-waiting')).resolves.toBeNull();
  });
});
