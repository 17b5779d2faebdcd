import { BrokerKeys } from '../keys/broker-keys';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { fakeKeys, newTestService, NOW, user } from '../../test/utils';
import { CaseOutcomeEntity } from './outcome.entity';
import { OutcomeRepository } from './outcome.repository';
import { OutcomeService } from './outcome.service';

describe(OutcomeService.name, () => {
  const setup = () => {
    const t = newTestService(OutcomeService, [[BrokerKeys, fakeKeys()]]);
    return { sut: t.sut, cases: t.get(CaseRepository), outcomes: t.get(OutcomeRepository) };
  };

  it('records no outcome on a case that is not open', async () => {
    const { sut, cases, outcomes } = setup();
    cases.get.mockResolvedValue(Object.assign(new CaseEntity(), { status: 'closed' }));
    await expect(
      sut.record(user(['manager']), 'c1', {
        outcome: 'nfa',
        rationale: 'no further action needed',
        close: true,
      }),
    ).rejects.toMatchObject({ code: 'CASE.NOT_OPEN' });
    expect(outcomes.contributors).not.toHaveBeenCalled();
  });

  it("lists a case's outcomes with their rationale opened and each delivery", async () => {
    const { sut, outcomes } = setup();
    outcomes.forCase.mockResolvedValue([
      {
        outcome: Object.assign(new CaseOutcomeEntity(), {
          id: 'o1',
          outcome: 'early-help',
          rationaleSealed: 'sealed:"family accepted support"',
          decidedBy: 'manager-1',
          decidedRole: 'manager',
          decidedAt: NOW,
          closedCase: true,
        }),
        deliveries: [
          {
            agency: 'police',
            roles: ['referred'],
            status: 'delivered',
            attempts: 1,
            lastSentAt: NOW,
            deliveredAt: NOW,
          } as never,
        ],
      },
    ]);
    await expect(sut.forCase('p1', 'c1')).resolves.toEqual([
      expect.objectContaining({
        id: 'o1',
        rationale: 'family accepted support',
        decidedAt: NOW.toISOString(),
        deliveries: [expect.objectContaining({ agency: 'police', status: 'delivered' })],
      }),
    ]);
  });
});
