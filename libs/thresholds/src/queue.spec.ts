import fc from 'fast-check';
import {
  capacityAvailable,
  compareQueued,
  nextCapacityAt,
  type Queued,
  releaseTimes,
  SlidingWindowLimiter,
} from './queue';
import { RAGS } from './schema';

const MIN = 60_000;
const t0 = Date.UTC(2026, 4, 26, 9, 0);
const at = (minutes: number) => new Date(t0 + minutes * MIN);
const item = (id: string, rag: Queued['rag'], due: number, enqueued: number): Queued => ({
  id,
  rag,
  dueAt: at(due),
  enqueuedAt: at(enqueued),
});

describe(compareQueued.name, () => {
  const sut = compareQueued;

  it('serves red, then amber, then green, then the earliest deadline, then the earliest arrival', () => {
    const queue = [
      item('green-soon', 'green', 10, 0),
      item('amber-late', 'amber', 500, 0),
      item('red-late', 'red', 240, 5),
      item('amber-soon', 'amber', 100, 3),
      item('red-soon-second', 'red', 200, 2),
      item('red-soon-first', 'red', 200, 1),
    ];
    expect(queue.sort(sut).map((q) => q.id)).toEqual([
      'red-soon-first',
      'red-soon-second',
      'red-late',
      'amber-soon',
      'amber-late',
      'green-soon',
    ]);
  });

  it('is a consistent total order (antisymmetric and transitive)', () => {
    const arb = fc.record({
      id: fc.string({ maxLength: 3 }),
      rag: fc.constantFrom(...RAGS),
      dueAt: fc.integer({ min: 0, max: 20 }).map(at),
      enqueuedAt: fc.integer({ min: 0, max: 20 }).map(at),
    });
    fc.assert(
      fc.property(arb, arb, arb, (a, b, c) => {
        expect(Math.sign(sut(a, b))).toBe(-Math.sign(sut(b, a)) || 0);
        if (sut(a, b) <= 0 && sut(b, c) <= 0) expect(sut(a, c)).toBeLessThanOrEqual(0);
      }),
    );
  });
});

describe(capacityAvailable.name, () => {
  const sut = capacityAvailable;

  it('allows up to queriesPerHour sends in any rolling hour', () => {
    const sends = [at(0), at(10), at(20)];
    expect(sut(sends, 3, at(30))).toBe(false);
    expect(sut(sends, 4, at(30))).toBe(true);
  });

  it('frees a slot exactly one hour after the oldest send in the window', () => {
    const sends = [at(0), at(10), at(20)];
    expect(sut(sends, 3, at(59.99))).toBe(false);
    expect(sut(sends, 3, at(60))).toBe(true);
    expect(nextCapacityAt(sends, 3, at(30))).toEqual(at(60));
    expect(nextCapacityAt(sends, 2, at(30))).toEqual(at(70));
    expect(nextCapacityAt(sends, 4, at(30))).toEqual(at(30));
  });

  it('nextCapacityAt is the earliest instant with room', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 120 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 10 }),
        fc.integer({ min: 0, max: 120 }),
        (minutes, perHour, now) => {
          const sends = minutes.map(at);
          const next = nextCapacityAt(sends, perHour, at(now));
          expect(next.getTime()).toBeGreaterThanOrEqual(at(now).getTime());
          expect(sut(sends, perHour, next)).toBe(true);
          if (next.getTime() > at(now).getTime()) {
            expect(sut(sends, perHour, new Date(next.getTime() - 1))).toBe(false);
          }
        },
      ),
    );
  });
});

describe(SlidingWindowLimiter.name, () => {
  it('hands out queriesPerHour sends per rolling hour and says when the next is free', () => {
    const sut = new SlidingWindowLimiter(2);
    expect(sut.tryTake(at(0))).toBe(true);
    expect(sut.tryTake(at(15))).toBe(true);
    expect(sut.tryTake(at(30))).toBe(false);
    expect(sut.available(at(30))).toBe(0);
    expect(sut.nextAvailableAt(at(30))).toEqual(at(60));
    expect(sut.tryTake(at(60))).toBe(true);
    expect(sut.available(at(75))).toBe(1);
  });

  it('refuses a non-positive rate', () => {
    expect(() => new SlidingWindowLimiter(0)).toThrow(RangeError);
  });
});

describe(releaseTimes.name, () => {
  it('gives each waiting query the first free slot after the one before it', () => {
    // Two an hour, sent at 0 and 10: the queue's first goes at 60, the second at 70, the third at 120.
    expect(releaseTimes([at(0), at(10)], 2, at(30), 3)).toEqual([at(60), at(70), at(120)]);
    expect(releaseTimes([], 2, at(30), 2)).toEqual([at(30), at(30)]);
  });
});
