import { DomainError } from '@mash/common';
import { fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { BrokerKeys } from '../keys/broker-keys';
import { ConsentDecisionEntity } from './consent.entity';
import { ConsentService } from './consent.service';
import { AuditService } from '../audit/audit.service';
import { CaseRepository } from '../cases/case.repository';
import { ConsentRepository } from './consent.repository';
import { MemberRepository } from '../cases/member.repository';
import { CaseMemberEntity } from '../cases/member.entity';

const SUBJECT = '00000000-0000-4000-8000-0000000000a1';
const MOTHER = '00000000-0000-4000-8000-0000000000a2';
const member = (id: string, relationship: CaseMemberEntity['relationship']) =>
  Object.assign(new CaseMemberEntity(), { id, relationship, caseId: CASE, partnership: 'p1' });

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
    const members = t.get(MemberRepository);
    members.forCase.mockResolvedValue([member(SUBJECT, 'subject'), member(MOTHER, 'parent')]);
    members.get.mockResolvedValue(member(MOTHER, 'parent'));
    return {
      members,
      sut: t.sut,
      consents: t.get(ConsentRepository),
      cases: t.get(CaseRepository),
      audit: t.get(AuditService),
    };
  };

  describe('positionFor', () => {
    it('is none before any decision', async () => {
      const { sut, consents } = setup();
      consents.decisions.mockResolvedValue([]);
      await expect(sut.positionFor('p1', CASE)).resolves.toEqual({ status: 'none' });
    });

    it("counts an analyst's refusal as approved only once a manager approved it", async () => {
      const { sut, consents } = setup();
      consents.decisions.mockResolvedValue([decision()]);
      await expect(sut.positionFor('p1', CASE)).resolves.toMatchObject({
        status: 'refused',
        managerApproved: false,
      });
      consents.decisions.mockResolvedValue([decision({ approvedBy: 'manager-1' })]);
      await expect(sut.positionFor('p1', CASE)).resolves.toMatchObject({ managerApproved: true });
    });
  });

  describe('awaitingApproval', () => {
    it("keeps each person's override waiting until a later decision about that person replaces it", async () => {
      const { sut, consents } = setup();
      const subjectOverride = decision({ id: 'd-subject', memberId: null, status: 'not-sought' });
      const motherOverride = decision({
        id: 'd-mother',
        memberId: MOTHER,
        agencies: ['police', 'health'],
      });
      consents.awaitingApproval.mockResolvedValue([subjectOverride, motherOverride]);
      // Newest first: consent given for the subject later, then another word from the mother for health only.
      const later = [
        decision({
          id: 'd-mother-health',
          memberId: MOTHER,
          status: 'given',
          agencies: ['health'],
        }),
        decision({ id: 'd-subject-given', memberId: null, status: 'given', agencies: null }),
      ];
      consents.decisions.mockResolvedValue([...later, motherOverride, subjectOverride]);

      const waiting = await sut.awaitingApproval(user(['manager'], 'manager-1'));

      // The subject's override is replaced; the mother's still stands for police.
      expect(waiting.map((w) => [w.id, w.memberId])).toEqual([['d-mother', MOTHER]]);

      consents.decisions.mockResolvedValue([
        decision({
          id: 'd-mother-police',
          memberId: MOTHER,
          status: 'given',
          agencies: ['police'],
        }),
        ...later,
        motherOverride,
        subjectOverride,
      ]);
      await expect(sut.awaitingApproval(user(['manager'], 'manager-1'))).resolves.toEqual([]);
    });
  });

  describe('positions', () => {
    it("reads each person's latest decision for each agency; another's refusal is only theirs", async () => {
      const { sut, consents } = setup();
      consents.decisions.mockResolvedValue([
        // Newest first: the mother refused for police and health; the child's consent was given.
        decision({
          id: 'd3',
          memberId: MOTHER,
          status: 'refused',
          reason: null,
          agencies: ['health', 'police'],
        }),
        decision({ id: 'd2', memberId: null, status: 'given', reason: null, agencies: null }),
      ]);
      const positions = await sut.positions('p1', CASE);
      expect(positions.for(MOTHER, 'police')).toMatchObject({ status: 'refused' });
      expect(positions.for(MOTHER, 'education')).toEqual({ status: 'none' });
      // A decision recorded without a member (before households) is the subject's.
      expect(positions.for(SUBJECT, 'police')).toMatchObject({ status: 'given' });
      expect(positions.subject()).toMatchObject({ status: 'given' });
      expect(positions.refusedByOthers(SUBJECT, 'police')).toBe(true);
      expect(positions.refusedByOthers(SUBJECT, 'education')).toBe(false);
      expect(positions.refusedByOthers(MOTHER, 'police')).toBe(false);
    });

    it('does not count a refusal overridden with a reason and a manager as the household refusing', async () => {
      const { sut, consents } = setup();
      consents.decisions.mockResolvedValue([
        decision({ memberId: MOTHER, agencies: null, approvedBy: 'manager-1' }),
      ]);
      const positions = await sut.positions('p1', CASE);
      expect(positions.refusedByOthers(SUBJECT, 'police')).toBe(false);
    });

    it("takes the subject's member id from a caller that has just read the members", async () => {
      const { sut, consents, members } = setup();
      consents.decisions.mockResolvedValue([
        decision({ id: 'd2', memberId: null, status: 'given', reason: null, agencies: null }),
      ]);
      members.forCase.mockClear();
      const positions = await sut.positions('p1', CASE, SUBJECT);
      expect(positions.for(SUBJECT, 'police')).toMatchObject({ status: 'given' });
      expect(members.forCase).not.toHaveBeenCalled();
    });
  });

  describe('record', () => {
    it('refuses to proceed without consent and without a reason', async () => {
      const { sut, consents } = setup();
      await expect(
        sut.record(user(), CASE, { status: 'not-sought', justification: 'a long enough reason' }),
      ).rejects.toMatchObject({ code: 'CONSENT.REASON_REQUIRED' });
      expect(consents.insert).not.toHaveBeenCalled();
    });

    it("records a member's decision for some agencies, who gave it and whether it was understood", async () => {
      const { sut, consents, audit, members } = setup();
      const result = await sut.record(user(), CASE, {
        status: 'refused',
        reason: 'risk-of-significant-harm',
        justification: 'mother declined for herself at the home visit',
        memberId: MOTHER,
        agencies: ['police', 'health', 'police'],
        givenBy: 'self',
        understood: true,
      });
      expect(members.get).toHaveBeenCalledWith('p1', CASE, MOTHER);
      expect(consents.insert.mock.calls[0][0]).toMatchObject({
        memberId: MOTHER,
        agencies: ['health', 'police'],
        givenBy: 'self',
        understood: true,
      });
      expect(result).toMatchObject({ memberId: MOTHER, agencies: ['health', 'police'] });
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          action: 'consent.recorded',
          details: expect.objectContaining({ memberId: MOTHER, relationship: 'parent' }),
        }),
        TX,
      );
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
