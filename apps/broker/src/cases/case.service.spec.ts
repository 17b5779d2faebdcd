import { ThresholdService } from './threshold.service';
import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { demoThresholds, fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { CaseEntity } from './case.entity';
import { CaseRepository } from './case.repository';
import { CaseService } from './case.service';
import { RatingRepository } from './rating.repository';

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
    ...patch,
  });
}

describe(CaseService.name, () => {
  const setup = () => {
    const t = newTestService(CaseService, [
      [ThresholdService, demoThresholds()],
      [BrokerKeys, fakeKeys()],
    ]);
    const audit = t.get(AuditService);
    audit.pseudonyms.mockReturnValue(['by-id', 'by-name-and-dob']);
    return {
      sut: t.sut,
      cases: t.get(CaseRepository),
      ratings: t.get(RatingRepository),
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
