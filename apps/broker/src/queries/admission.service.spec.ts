import { DomainError } from '@mash/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { newTestService } from '../../test/utils';
import { AdmissionService } from './admission.service';
import { QueryEventRepository } from './query-event.repository';

const config = {
  queryTimeoutMs: 10_000,
  admission: { maxInFlight: 1000, minInFlight: 10, redReserve: 0.2, windowSeconds: 10 },
} as BrokerConfig;

describe(AdmissionService.name, () => {
  const setup = (load: Record<string, { inFlight: number; answered: number }>) => {
    const t = newTestService(AdmissionService, [
      [BROKER_CONFIG, config],
      [BrokerMetrics, new BrokerMetrics()],
    ]);
    t.get(QueryEventRepository).load.mockResolvedValue(new Map(Object.entries(load)));
    return t.sut;
  };
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
});
