import { ThresholdService } from '../thresholds/threshold.service';
import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { demoThresholds, fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { CaseEntity } from './case.entity';
import { CaseRepository } from './case.repository';
import { CaseService } from './case.service';
import { RatingRepository } from './rating.repository';
import { MemberRepository } from './member.repository';
import { MemberService } from './member.service';

const HOUR = 60 * 60 * 1000;
const subject = { givenName: 'Ada', familyName: 'Example', dateOfBirth: '2015-05-01' };

function openCase(patch: Partial<CaseEntity> = {}): CaseEntity {
  return Object.assign(new CaseEntity(), {
    id: 'c1',
    partnership: 'p1',
    status: 'open',
    subjectSealed: null,
    concerns: ['neglect'],
    level: 3,
    rag: 'amber',
    receivedAt: NOW,
    dueAt: new Date(NOW.getTime() + 72 * HOUR),
    deadlineNotifiedAt: new Date(NOW.getTime() + HOUR),
    signpostReason: null,
    referrerAgency: 'police',
    thresholdVersion: 1,
    ...patch,
  });
}

describe(CaseService.name, () => {
  const setup = () => {
    // Members are built by the real MemberService (sealing and pseudonyms), its audit mocked.
    const memberService = newTestService(MemberService, [[BrokerKeys, fakeKeys()]]);
    memberService.get(AuditService).pseudonyms.mockReturnValue(['by-id', 'by-name-and-dob']);
    const t = newTestService(CaseService, [
      [ThresholdService, demoThresholds()],
      [BrokerKeys, fakeKeys()],
      [MemberService, memberService.sut],
    ]);
    const audit = t.get(AuditService);
    audit.pseudonyms.mockReturnValue(['by-id', 'by-name-and-dob']);
    return {
      sut: t.sut,
      cases: t.get(CaseRepository),
      ratings: t.get(RatingRepository),
      members: t.get(MemberRepository),
      memberAudit: memberService.get(AuditService),
      audit,
    };
  };

  describe('openFromReferral', () => {
    it('opens a red case due four hours after receipt, audited in the same transaction', async () => {
      const { sut, cases, audit } = setup();
      const summary = await sut.openFromReferral(user(), {
        subject,
        referrer: { agency: 'police' },
        concerns: ['physical-abuse'],
      });
      expect(summary).toMatchObject({
        status: 'open',
        level: 4,
        rag: 'red',
        dueAt: new Date(NOW.getTime() + 4 * HOUR).toISOString(),
        overdue: false,
      });
      const [entity, tx] = cases.insert.mock.calls[0];
      expect(tx).toBe(TX);
      expect(entity).toMatchObject({
        subjectSealed: `sealed:${JSON.stringify(subject)}`,
        subjectPseudonym: 'by-name-and-dob',
      });
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({ action: 'case.opened', caseId: entity.id }),
        TX,
      );
    });

    it('lists the subject and the household as members, each added one audited', async () => {
      const { sut, members, memberAudit } = setup();
      const mother = {
        relationship: 'parent' as const,
        givenName: 'Beth',
        familyName: 'Example',
        dateOfBirth: '1990-02-03',
      };
      const summary = await sut.openFromReferral(user(), {
        subject,
        referrer: { agency: 'police' },
        concerns: ['domestic-abuse'],
        members: [mother],
      });
      const [rows, tx] = members.insert.mock.calls[0];
      expect(tx).toBe(TX);
      expect(rows.map((m) => [m.relationship, m.caseId, m.pseudonym])).toEqual([
        ['subject', summary.id, 'by-name-and-dob'],
        ['parent', summary.id, 'by-name-and-dob'],
      ]);
      // The subject's sealed details are the case's own; the mother's are sealed without her relationship.
      expect(rows[0].detailsSealed).toBe(`sealed:${JSON.stringify(subject)}`);
      const { relationship: _r, ...motherDetails } = mother;
      expect(rows[1].detailsSealed).toBe(`sealed:${JSON.stringify(motherDetails)}`);
      expect(summary.members).toEqual(
        rows.map((m) => ({ id: m.id, relationship: m.relationship })),
      );
      expect(memberAudit.record).toHaveBeenCalledTimes(1);
      expect(memberAudit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          action: 'case.member.added',
          caseId: summary.id,
          details: { memberId: rows[1].id, relationship: 'parent' },
        }),
        TX,
      );
    });

    it('signposts universal advice with no deadline and a retention date', async () => {
      const { sut, cases } = setup();
      const summary = await sut.openFromReferral(user(), {
        subject,
        referrer: { agency: 'education' },
        concerns: ['universal-advice'],
      });
      expect(summary).toMatchObject({ status: 'signposted', dueAt: null });
      expect(cases.insert.mock.calls[0][0].retainUntil).toBeInstanceOf(Date);
    });
  });

  describe('rerate', () => {
    it('refuses a case that is not open, and a rating that does not change', async () => {
      const { sut, cases, ratings } = setup();
      cases.get.mockResolvedValueOnce(openCase({ status: 'closed' }));
      await expect(
        sut.rerate(user(), 'c1', { rag: 'red', rationale: 'new information from police' }),
      ).rejects.toMatchObject({ code: 'CASE.NOT_OPEN' });
      cases.get.mockResolvedValueOnce(openCase());
      await expect(
        sut.rerate(user(), 'c1', { rag: 'amber', rationale: 'new information from police' }),
      ).rejects.toMatchObject({ code: 'CASE.RATING_UNCHANGED' });
      expect(ratings.insert).not.toHaveBeenCalled();
    });

    it('records the change, recomputes the deadline and re-arms its warning', async () => {
      const { sut, cases, ratings } = setup();
      cases.get.mockResolvedValue(openCase());
      ratings.history.mockResolvedValue([]);
      const result = await sut.rerate(user(['manager']), 'c1', {
        rag: 'red',
        rationale: 'new information from police',
      });
      expect(result.dueAt).toBe(new Date(NOW.getTime() + 4 * HOUR).toISOString());
      expect(ratings.insert).toHaveBeenCalledWith(
        expect.objectContaining({ fromRag: 'amber', toRag: 'red', changedRole: 'manager' }),
        TX,
      );
      expect(cases.update).toHaveBeenCalledWith(
        'p1',
        'c1',
        expect.objectContaining({ rag: 'red', deadlineNotifiedAt: null }),
        TX,
      );
    });
  });

  it('will not open the subject of a case whose data was deleted', async () => {
    const { sut } = setup();
    await expect(sut.subjectOf(openCase({ subjectSealed: null }))).rejects.toMatchObject({
      code: 'CASE.DATA_DELETED',
      status: 410,
    });
  });
});
