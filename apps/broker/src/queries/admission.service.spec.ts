import { DomainError } from '@mash/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { newTestService } from '../../test/utils';
import { AdmissionService, PRECHECK_FRESH_MS } from './admission.service';
import { BrokerLoad } from './broker-load';
import { QueryEventRepository } from './query-event.repository';

const config = {
  queryTimeoutMs: 10_000,
  admission: {
    maxInFlight: 1000,
    minInFlight: 10,
    redReserve: 0.2,
    windowSeconds: 10,
    recentSeconds: 2,
    rateRefreshMs: 1000,
    maxConcurrent: 10,
    maxBusy: 0.85,
    deadlineShare: 0.8,
  },
} as BrokerConfig;

describe(AdmissionService.name, () => {
  /** This instance: `creating` creations under way, the loop busy `busy` of the time. */
  const broker = (creating = 0, busy = 0) =>
    ({
      inProgress: () => creating,
      busy: () => busy,
      begin: jest.fn(() => jest.fn()),
    }) as unknown as BrokerLoad;
  /** Answers over the window; over its recent part at the same rate unless given. */
  type Load = { inFlight: number; answered: number; answeredRecently?: number };
  const steady = (load: Record<string, Load>) =>
    new Map(
      Object.entries(load).map(([agency, l]) => [
        agency,
        {
          ...l,
          answeredRecently:
            l.answeredRecently ??
            (l.answered * config.admission.recentSeconds) / config.admission.windowSeconds,
        },
      ]),
    );
  /** The repository's two reads, as `load` says. */
  const measure = (events: jest.Mocked<QueryEventRepository>, load: Record<string, Load>) => {
    const all = steady(load);
    events.inFlight.mockResolvedValue(new Map([...all].map(([a, l]) => [a, l.inFlight])));
    events.answered.mockImplementation(
      async (asked) => new Map([...all].filter(([a]) => asked.includes(a))),
    );
  };
  /** The service over a repository measuring `load`, with the repository to look at. */
  const build = (load: Record<string, Load>, instance = broker()) => {
    const t = newTestService(AdmissionService, [
      [BROKER_CONFIG, config],
      [BrokerMetrics, new BrokerMetrics()],
      [BrokerLoad, instance],
    ]);
    const events = t.get(QueryEventRepository);
    measure(events, load);
    return { sut: t.sut, events };
  };
  const setup = (load: Record<string, Load>, instance = broker()) => build(load, instance).sut;
  const refusal = async (sut: AdmissionService, rag: string): Promise<DomainError | undefined> =>
    sut.admit(rag, ['police', 'health']).then(
      () => undefined,
      (e: unknown) => e as DomainError,
    );

  it('admits while in flight is below what the recent answer rate clears within the deadline', async () => {
    // 50 answers a second over the window: 50 × 10 s × 0.8 = 400 may be in flight.
    const sut = setup({
      police: { inFlight: 300, answered: 500 },
      health: { inFlight: 0, answered: 0 },
    });
    await expect(sut.admit('green', ['police', 'health'])).resolves.toBeUndefined();
  });

  it('refuses amber and green first, keeping the reserve for red, and says when to retry', async () => {
    // Limit 400; amber and green may use 320 of it.
    const sut = setup({
      police: { inFlight: 330, answered: 500 },
      health: { inFlight: 0, answered: 0 },
    });
    const error = await refusal(sut, 'amber');
    expect(error).toMatchObject({ code: 'QUERY.OVERLOADED', status: 503 });
    // 11 requests over the share drain in under a second at 50 a second.
    expect(error?.details).toEqual({ agencies: ['police'], retryAfterSeconds: 1 });
    expect(await refusal(sut, 'red')).toBeUndefined();
  });

  it('keeps the queue to the configured share of the deadline', async () => {
    // At half the deadline the limit is 50 × 10 s × 0.5 = 250, amber and green 200 of it.
    const sut = setup({
      police: { inFlight: 300, answered: 500 },
      health: { inFlight: 0, answered: 0 },
    });
    await expect(sut.admit('green', ['police', 'health'])).resolves.toBeUndefined();
    const halved = newTestService(AdmissionService, [
      [BROKER_CONFIG, { ...config, admission: { ...config.admission, deadlineShare: 0.5 } }],
      [BrokerMetrics, new BrokerMetrics()],
      [BrokerLoad, broker()],
    ]);
    measure(halved.get(QueryEventRepository), { police: { inFlight: 250, answered: 500 } });
    await expect(halved.sut.admit('red', ['police'])).rejects.toMatchObject({
      code: 'QUERY.OVERLOADED',
    });
  });

  it('follows a falling answer rate at once: the lower of the window and its recent part counts', async () => {
    // 50 a second over the window, 20 a second over its last 2 s: the limit is 20 × 10 × 0.8 = 160.
    const slowing = setup({
      police: { inFlight: 200, answered: 500, answeredRecently: 40 },
      health: { inFlight: 0, answered: 0 },
    });
    const error = await refusal(slowing, 'red');
    // 41 over the limit drain in 2.05 s at 20 a second.
    expect(error?.details).toEqual({ agencies: ['police'], retryAfterSeconds: 3 });
    // A rising rate does not raise the limit before the window shows it: 400 still.
    const rising = setup({
      police: { inFlight: 390, answered: 500, answeredRecently: 200 },
      health: { inFlight: 0, answered: 0 },
    });
    expect(await refusal(rising, 'red')).toBeUndefined();
    expect(
      await refusal(
        setup({
          police: { inFlight: 400, answered: 500, answeredRecently: 200 },
          health: { inFlight: 0, answered: 0 },
        }),
        'red',
      ),
    ).toMatchObject({ code: 'QUERY.OVERLOADED' });
  });

  it('refuses red too at the limit itself', async () => {
    const sut = setup({
      police: { inFlight: 400, answered: 500 },
      health: { inFlight: 0, answered: 0 },
    });
    expect((await refusal(sut, 'red'))?.code).toBe('QUERY.OVERLOADED');
  });

  it('takes a burst on a quiet federation up to the floor, then waits a deadline', async () => {
    const sut = setup({
      police: { inFlight: 7, answered: 0 },
      health: { inFlight: 8, answered: 0 },
    });
    // Floor 10: amber and green may have 8 in flight.
    const error = await refusal(sut, 'green');
    expect(error?.details).toEqual({ agencies: ['health'], retryAfterSeconds: 10 });
  });

  describe('the answer rates', () => {
    afterEach(() => jest.useRealTimers());

    it('reads them once a refresh interval, shared by the creations meanwhile; in flight every time', async () => {
      jest.useFakeTimers({ now: 0 });
      const { sut, events } = build({ police: { inFlight: 300, answered: 500 } });
      await Promise.all([sut.admit('green', ['police']), sut.admit('green', ['police'])]);
      await sut.admit('green', ['police']);
      expect(events.answered).toHaveBeenCalledTimes(1);
      expect(events.inFlight).toHaveBeenCalledTimes(3);

      // The rate falls to 20 a second (limit 160) and in flight rises: the next read shows it.
      measure(events, { police: { inFlight: 300, answered: 200 } });
      await expect(sut.admit('red', ['police'])).resolves.toBeUndefined();
      jest.advanceTimersByTime(config.admission.rateRefreshMs);
      await expect(sut.admit('red', ['police'])).rejects.toMatchObject({
        code: 'QUERY.OVERLOADED',
      });
      expect(events.answered).toHaveBeenCalledTimes(2);
      expect(events.answered).toHaveBeenLastCalledWith(['police'], 10, 2);
    });

    it('reads an agency it has not read yet at once, and again after a failed read', async () => {
      jest.useFakeTimers({ now: 0 });
      const { sut, events } = build({
        police: { inFlight: 0, answered: 500 },
        health: { inFlight: 0, answered: 0 },
      });
      await sut.admit('green', ['police']);
      await sut.admit('green', ['police', 'health']);
      expect(events.answered.mock.calls.map((c) => c[0])).toEqual([['police'], ['health']]);

      jest.advanceTimersByTime(config.admission.rateRefreshMs);
      events.answered.mockRejectedValueOnce(new Error('connection lost'));
      await expect(sut.admit('green', ['police'])).rejects.toThrow('connection lost');
      await expect(sut.admit('green', ['police'])).resolves.toBeUndefined();
      expect(events.answered).toHaveBeenCalledTimes(4);
    });
  });

  describe('the broker itself', () => {
    const quiet = { police: { inFlight: 0, answered: 0 }, health: { inFlight: 0, answered: 0 } };

    it('refuses at the door, red included, when every place for a creation is taken', () => {
      const sut = setup(quiet, broker(10));
      expect(() => sut.enter()).toThrow(
        expect.objectContaining({
          code: 'QUERY.OVERLOADED',
          details: { agencies: [], retryAfterSeconds: 1 },
        }),
      );
    });

    it('gives a place while one is free, counted until the creation ends', () => {
      const instance = broker(9);
      const sut = setup(quiet, instance);
      sut.enter();
      expect(instance.begin).toHaveBeenCalledTimes(1);
    });

    it('checks the door without taking a place (the check before authentication)', () => {
      const open = broker(9);
      expect(() => setup(quiet, open).door()).not.toThrow();
      expect(open.begin).not.toHaveBeenCalled();
      expect(() => setup(quiet, broker(10)).door()).toThrow(
        expect.objectContaining({ code: 'QUERY.OVERLOADED' }),
      );
    });

    it('keeps a reserve of the creations for red cases', async () => {
      // 9 under way counting this one; amber and green may have 8 (10 less the 0.2 reserve).
      const sut = setup(quiet, broker(9));
      expect((await refusal(sut, 'amber'))?.details).toEqual({
        agencies: [],
        retryAfterSeconds: 1,
      });
      expect(await refusal(sut, 'red')).toBeUndefined();
    });

    it('refuses amber and green while the loop is busy and creations overlap, never red', async () => {
      const busy = setup(quiet, broker(2, 0.95));
      expect((await refusal(busy, 'green'))?.code).toBe('QUERY.OVERLOADED');
      expect(await refusal(busy, 'red')).toBeUndefined();
      // At 0.8 the loop still has room.
      expect(await refusal(setup(quiet, broker(2, 0.8)), 'green')).toBeUndefined();
    });

    it('never refuses a lone creation for a busy loop (an instance starting up is busy)', async () => {
      expect(await refusal(setup(quiet, broker(1, 0.99)), 'green')).toBeUndefined();
    });
  });
  describe('precheck, before the household, consent and agreements are read', () => {
    // 50 answers a second: a limit of 400, of which amber and green may use 320.
    const full = { inFlight: 350, answered: 500 };
    const room = { inFlight: 100, answered: 500 };
    const refusedBy = (sut: AdmissionService, rag: string, agencies: string[]) => {
      try {
        sut.precheck(rag, agencies);
        return undefined;
      } catch (error) {
        return error as DomainError;
      }
    };

    afterEach(() => jest.restoreAllMocks());

    it('refuses when every agency the query could ask was full at the last read, reading nothing', async () => {
      const { sut, events } = build({ police: full, health: full });
      await expect(sut.admit('green', ['police', 'health'])).rejects.toMatchObject({
        code: 'QUERY.OVERLOADED',
      });
      const reads = events.inFlight.mock.calls.length;
      const error = refusedBy(sut, 'amber', ['police', 'health']);
      expect(error).toMatchObject({
        code: 'QUERY.OVERLOADED',
        details: { agencies: ['police', 'health'] },
      });
      expect(events.inFlight.mock.calls.length).toBe(reads);
    });

    it('refuses nothing while one of them has room: policy may permit only that one', async () => {
      const { sut } = build({ police: full, health: room });
      await expect(sut.admit('green', ['police', 'health'])).rejects.toBeDefined();
      expect(refusedBy(sut, 'green', ['police', 'health'])).toBeUndefined();
      // Asked of the full one alone, it refuses.
      expect(refusedBy(sut, 'green', ['police'])).toMatchObject({ code: 'QUERY.OVERLOADED' });
    });

    it('lets a red case by where only the amber and green share is taken', async () => {
      const { sut } = build({ police: full, health: full });
      await expect(sut.admit('green', ['police', 'health'])).rejects.toBeDefined();
      expect(refusedBy(sut, 'red', ['police', 'health'])).toBeUndefined();
    });

    it('refuses nothing on a read it has not made or one older than PRECHECK_FRESH_MS', async () => {
      const { sut } = build({ police: full, health: full });
      expect(refusedBy(sut, 'green', ['police', 'health'])).toBeUndefined();
      const now = performance.now();
      const clock = jest.spyOn(performance, 'now').mockReturnValue(now);
      await expect(sut.admit('green', ['police', 'health'])).rejects.toBeDefined();
      clock.mockReturnValue(now + PRECHECK_FRESH_MS + 1);
      expect(refusedBy(sut, 'green', ['police', 'health'])).toBeUndefined();
      // An agency never read (education) keeps it from refusing, too.
      clock.mockReturnValue(now);
      expect(refusedBy(sut, 'green', ['police', 'health', 'education'])).toBeUndefined();
    });
  });
});
