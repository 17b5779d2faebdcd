import { DomainError } from '@mash/common';
import { fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { BrokerKeys } from '../keys/broker-keys';
import { ConsentDecisionEntity } from './consent.entity';
import { ConsentService } from './consent.service';
import { AuditService } from '../audit/audit.service';
import { CaseRepository } from '../cases/case.repository';
import { ConsentRepository } from './consent.repository';

const CASE = '00000000-0000-4000-8000-000000000001';

function decision(patch: Partial<ConsentDecisionEntity> = {}): ConsentDecisionEntity {
  return Object.assign(new ConsentDecisionEntity(), {
    id: 'd1',
    partnership: 'p1',
    caseId: CASE,
    status: 'refused',
    reason: 'risk-of-significant-harm',
    justificationSealed: null,
    decidedBy: 'user-1',
    decidedRole: 'analyst',
    decidedAt: NOW,
    approvedBy: null,
    approvedAt: null,
    ...patch,
  });
}

describe(ConsentService.name, () => {
  const setup = () => {
    const t = newTestService(ConsentService, [[BrokerKeys, fakeKeys()]]);
    return {
      sut: t.sut,
      consents: t.get(ConsentRepository),
      cases: t.get(CaseRepository),
      audit: t.get(AuditService),
    };
  };

  describe('positionFor', () => {
    it('is none before any decision', async () => {
      const { sut, consents } = setup();
      consents.latest.mockResolvedValue(null);
      await expect(sut.positionFor('p1', CASE)).resolves.toEqual({ status: 'none' });
    });

    it("counts an analyst's refusal as approved only once a manager approved it", async () => {
      const { sut, consents } = setup();
      consents.latest.mockResolvedValue(decision());
      await expect(sut.positionFor('p1', CASE)).resolves.toMatchObject({
        status: 'refused',
        managerApproved: false,
      });
      consents.latest.mockResolvedValue(decision({ approvedBy: 'manager-1' }));
      await expect(sut.positionFor('p1', CASE)).resolves.toMatchObject({ managerApproved: true });
    });
  });

  describe('record', () => {
    it('refuses to proceed without consent and without a reason', async () => {
      const { sut, consents } = setup();
      await expect(
        sut.record(user(), CASE, { status: 'refused', justification: 'a long enough reason' }),
      ).rejects.toMatchObject({ code: 'CONSENT.REASON_REQUIRED' });
      expect(consents.insert).not.toHaveBeenCalled();
    });

    it('stores the decision sealed, locks the case and audits it in one transaction', async () => {
      const { sut, consents, cases, audit } = setup();
      const result = await sut.record(user(), CASE, {
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'seeking consent would put the child at risk',
      });
      expect(cases.get).toHaveBeenCalledWith('p1', CASE, TX, true);
      const [row, tx] = consents.insert.mock.calls[0];
      expect(tx).toBe(TX);
      expect(row).toMatchObject({
        status: 'not-sought',
        decidedAt: NOW,
        justificationSealed: 'sealed:"seeking consent would put the child at risk"',
      });
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({ action: 'consent.recorded', caseId: CASE }),
        TX,
      );
      expect(result).toMatchObject({ approval: 'pending-manager-approval' });
    });
  });

  describe('approve', () => {
    it('will not let a manager approve their own decision', async () => {
      const { sut, consents } = setup();
      consents.find.mockResolvedValue(decision({ decidedBy: 'manager-1' }));
      const error = await sut
        .approve(user(['manager'], 'manager-1'), CASE, 'd1')
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DomainError);
      expect(error).toMatchObject({ code: 'CONSENT.SELF_APPROVAL' });
      expect(consents.approve).not.toHaveBeenCalled();
    });

    it("records another manager's approval at the calendar's now", async () => {
      const { sut, consents, audit } = setup();
      consents.find.mockResolvedValue(decision());
      await expect(sut.approve(user(['manager'], 'manager-2'), CASE, 'd1')).resolves.toEqual({
        id: 'd1',
        approvedBy: 'manager-2',
        approvedAt: NOW.toISOString(),
      });
      expect(consents.approve).toHaveBeenCalledWith('d1', 'manager-2', NOW, TX);
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({ action: 'consent.approved' }),
        TX,
      );
    });
  });
});
