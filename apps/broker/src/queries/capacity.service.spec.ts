import type { ThresholdMatrix } from '@mash/thresholds';
import { Clock, type PinnedClock } from '@mash/common';
import { frozenClock, newTestService, NOW } from '../../test/utils';
import { ThresholdService } from '../thresholds/threshold.service';
import { CapacityRepository } from './capacity.repository';
import { CapacityService } from './capacity.service';

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
    let waiting = false;
    // The slot table as the repository keeps it (its SQL is tested against PostgreSQL in
    // test/e2e/multi-instance.int-spec.ts): a slot counts for the hour after it was taken.
    const slots = new Map<string, Date>();
    let next = 0;
    const live = (now: Date) =>
      [...slots.values()].filter((d) => d.getTime() > now.getTime() - 60 * MINUTE);
    const takeSlot = async (
      _p: string,
      _a: string,
      limit: number,
      now: Date,
      behindQueue = false,
    ) => {
      if (behindQueue && waiting) return null;
      if (live(now).length >= limit) return null;
      const id = String(++next);
      slots.set(id, now);
      return id;
    };
    queue.takeSlot.mockImplementation(takeSlot);
    queue.takeSlots.mockImplementation(async (p, limits, now, behindQueue) => {
      const taken = new Map<string, string | null>();
      for (const [agency, limit] of limits)
        taken.set(agency, await takeSlot(p, agency, limit, now, behindQueue));
      return taken;
    });
    queue.releaseSlot.mockImplementation(async (id) => void slots.delete(id));
    queue.slotsSince.mockImplementation(async (_p, _a, now) => live(now));
    const queued = (value: boolean) => (waiting = value);
    return { sut: t.sut, clock, queue, slots, queued };
  };

  it('admits everything to an agency without a limit, without asking the queue', async () => {
    const { sut, queue } = setup();
    await expect(sut.admit('p1', ['police', 'health'])).resolves.toEqual(
      new Set(['police', 'health']),
    );
    expect(queue.takeSlots).toHaveBeenCalledWith('p1', new Map(), NOW, true);
  });

  it('asks the queue once for every agency with a limit, and admits the others', async () => {
    const { sut, queue } = setup(1);
    await expect(sut.admit('p1', ['police', 'health'])).resolves.toEqual(
      new Set(['police', 'health']),
    );
    expect(queue.takeSlots).toHaveBeenCalledTimes(1);
    expect(queue.takeSlots).toHaveBeenCalledWith('p1', new Map([['police', 1]]), NOW, true);
    await expect(sut.admit('p1', ['police', 'health'])).resolves.toEqual(new Set(['health']));
  });

  it('lets no new request jump requests already waiting; the queue itself takes its slots', async () => {
    const { sut, queued } = setup(10);
    queued(true);
    await expect(sut.admit('p1', ['police'])).resolves.toEqual(new Set());
    // The capacity release job takes a slot for the request at the head of the queue.
    await expect(sut.take('p1', 'police')).resolves.toEqual({ id: expect.any(String) });
  });

  it('takes slots until the hour is full, and frees them as the hour moves on', async () => {
    const { sut, clock, slots } = setup(2);
    slots.set('earlier', new Date(NOW.getTime() - 30 * MINUTE));
    await expect(sut.admit('p1', ['police'])).resolves.toEqual(new Set(['police']));
    await expect(sut.admit('p1', ['police'])).resolves.toEqual(new Set());
    clock.advance(31 * MINUTE);
    await expect(sut.take('p1', 'police')).resolves.toEqual({ id: expect.any(String) });
    await expect(sut.take('p1', 'police')).resolves.toBeNull();
  });

  it("gives back the slot taken for a request that could not be sent: that request's own", async () => {
    const { sut, queue } = setup(2);
    const first = await sut.take('p1', 'police');
    const second = await sut.take('p1', 'police');
    await expect(sut.take('p1', 'police')).resolves.toBeNull();
    // The first request is the one not sent, though the second took its slot later.
    await sut.giveBack(first!);
    expect(queue.releaseSlot).toHaveBeenCalledWith(first!.id);
    expect(first!.id).not.toBe(second!.id);
    await expect(sut.take('p1', 'police')).resolves.not.toBeNull();
  });

  it('has nothing to give back for an agency without a limit', async () => {
    const { sut, queue } = setup();
    const slot = await sut.take('p1', 'police');
    expect(slot).toEqual({ id: null });
    await sut.giveBack(slot!);
    expect(queue.releaseSlot).not.toHaveBeenCalled();
  });

  it('expects a waiting request to go when slots age out of the hour', async () => {
    const { sut, queue, slots } = setup(1);
    slots.set('earlier', new Date(NOW.getTime() - 45 * MINUTE));
    queue.withCases.mockResolvedValue([{ id: 'q1', enqueuedAt: NOW, rag: 'amber', dueAt: null }]);
    await expect(sut.placeInQueue('p1', 'police', 'q1')).resolves.toEqual({
      position: 1,
      expectedReleaseAt: new Date(NOW.getTime() + 15 * MINUTE).toISOString(),
    });
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
