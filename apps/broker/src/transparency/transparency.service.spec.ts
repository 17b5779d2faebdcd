import type { ThresholdMatrix } from '@mash/thresholds';
import { BrokerKeys } from '../keys/broker-keys';
import { AuditService } from '../audit/audit.service';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { ConsentService } from '../consent/consent.service';
import { OutcomeRepository } from '../outcomes/outcome.repository';
import { QueryRepository } from '../queries/query.repository';
import { fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { TransparencyService } from './transparency.service';
import { WithholdingRepository } from './withholding.repository';

describe(TransparencyService.name, () => {
  const manager = user(['manager'], 'manager-1');
  const setup = () => {
    const t = newTestService(TransparencyService, [[BrokerKeys, fakeKeys()]]);
    t.get(CaseRepository).get.mockResolvedValue(
      Object.assign(new CaseEntity(), {
        id: 'c1',
        receivedAt: NOW,
        referrerAgency: 'police',
        concerns: ['neglect'],
        purgedAt: null,
      }),
    );
    t.get(CaseService).matrix.mockReturnValue({
      concerns: { neglect: { label: 'Neglect', level: 3, rag: 'amber' } },
    } as unknown as ThresholdMatrix);
    t.get(QueryRepository).listForCase.mockResolvedValue([]);
    t.get(QueryRepository).agenciesForQueries.mockResolvedValue([]);
    t.get(ConsentService).positionFor.mockResolvedValue({ status: 'none' });
    t.get(OutcomeRepository).forCase.mockResolvedValue([]);
    const withholdings = t.get(WithholdingRepository);
    withholdings.forCase.mockResolvedValue([]);
    return { sut: t.sut, withholdings, audit: t.get(AuditService) };
  };

  it("refuses to withhold an item the case's report does not have, naming those it has", async () => {
    const { sut, withholdings } = setup();
    const error = await sut
      .withhold(manager, 'c1', { item: 'nothing-like-this', reason: 'a reason given' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'TRANSPARENCY.UNKNOWN_ITEM',
      details: { field: 'item', validItems: expect.any(Array) },
    });
    expect(withholdings.upsert).not.toHaveBeenCalled();
  });

  it('withholds an item of the report with a sealed reason, audited in the same transaction', async () => {
    const { sut, withholdings, audit } = setup();
    const { details } = (await sut
      .withhold(manager, 'c1', { item: 'nothing-like-this', reason: 'x' })
      .catch((e: unknown) => e)) as { details: { validItems: string[] } };
    const [item] = details.validItems;
    await expect(
      sut.withhold(manager, 'c1', { item, reason: 'would alert the alleged abuser' }),
    ).resolves.toEqual({ item, withheldBy: 'manager-1', withheldAt: NOW.toISOString() });
    expect(withholdings.upsert).toHaveBeenCalledWith(
      expect.objectContaining({ item, reasonSealed: 'sealed:"would alert the alleged abuser"' }),
      TX,
    );
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'transparency.item.withheld', details: { item } }),
      TX,
    );
  });

  it('audits each report it generates', async () => {
    const { sut, audit } = setup();
    const report = await sut.report(manager, 'c1', 'json');
    expect(report).toBeDefined();
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({
        action: 'transparency.report.generated',
        details: { format: 'json', withheldItems: 0 },
      }),
    );
  });
});
