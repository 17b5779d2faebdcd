import { BrokerKeys } from '../keys/broker-keys';
import { AuditService } from '../audit/audit.service';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { ConsentService } from '../consent/consent.service';
import { OutcomeService } from '../outcomes/outcome.service';
import { WithholdingRepository } from '../transparency/withholding.repository';
import { fakeKeys, newTestService, NOW, user } from '../../test/utils';
import { CaseFileService } from './case-file.service';

describe(CaseFileService.name, () => {
  const setup = (patch: Partial<CaseEntity> = {}) => {
    const t = newTestService(CaseFileService, [[BrokerKeys, fakeKeys()]]);
    t.get(CaseRepository).get.mockResolvedValue(
      Object.assign(new CaseEntity(), {
        id: 'c1',
        subjectSealed: 'sealed:{"givenName":"Ada"}',
        closedAt: null,
        retainUntil: null,
        purgedAt: null,
        ...patch,
      }),
    );
    t.get(CaseService).summary.mockReturnValue({ id: 'c1', status: 'open' } as never);
    t.get(CaseService).ratingHistory.mockResolvedValue([]);
    t.get(ConsentService).history.mockResolvedValue([{ status: 'given' }]);
    t.get(OutcomeService).forCase.mockResolvedValue([]);
    t.get(WithholdingRepository).forCase.mockResolvedValue([
      {
        item: 'police:occurrences',
        reasonSealed: 'sealed:"an ongoing investigation"',
        withheldBy: 'manager-1',
        withheldAt: NOW,
      } as never,
    ]);
    return { sut: t.sut, audit: t.get(AuditService) };
  };

  it('puts the case, its consent, outcomes and withheld items together, and audits the view', async () => {
    const { sut, audit } = setup();
    await expect(sut.read(user(), 'c1')).resolves.toMatchObject({
      id: 'c1',
      subject: { givenName: 'Ada' },
      consent: [{ status: 'given' }],
      transparencyWithheld: [
        {
          item: 'police:occurrences',
          reason: 'an ongoing investigation',
          withheldAt: NOW.toISOString(),
        },
      ],
      dataDeletedAt: null,
    });
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'case.viewed', caseId: 'c1' }),
    );
  });

  it('shows no subject once the data was deleted after retention', async () => {
    const { sut } = setup({ subjectSealed: null, purgedAt: NOW });
    await expect(sut.read(user(), 'c1')).resolves.toMatchObject({
      subject: null,
      dataDeletedAt: NOW.toISOString(),
    });
  });

  it('shows nothing when the view cannot be audited', async () => {
    const { sut, audit } = setup();
    audit.record.mockRejectedValue(new Error('audit down'));
    await expect(sut.read(user(), 'c1')).rejects.toThrow('audit down');
  });
});
