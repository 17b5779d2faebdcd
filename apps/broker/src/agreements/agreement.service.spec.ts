import { BrokerKeys } from '../keys/broker-keys';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AuditService } from '../audit/audit.service';
import { demoAgreements, fakeKeys, newTestService, TX, user } from '../../test/utils';
import { AgreementRepository } from './agreement.repository';
import { AgreementService } from './agreement.service';

describe(AgreementService.name, () => {
  const admin = user(['agreement-admin' as never], 'admin-1', 'demo');
  const setup = () => {
    const t = newTestService(AgreementService, [
      [BrokerKeys, fakeKeys()],
      [BROKER_CONFIG, {} as BrokerConfig],
    ]);
    return { sut: t.sut, repo: t.get(AgreementRepository), audit: t.get(AuditService) };
  };
  const police = () => {
    const { status: _status, ...agreement } = demoAgreements().find((a) => a.agency === 'police')!;
    return agreement;
  };

  it('refuses a body that is not an agreement before touching the store', async () => {
    const { sut, repo } = setup();
    await expect(sut.createDraft(admin, { title: 'no purposes' })).rejects.toThrow();
    expect(repo.exists).not.toHaveBeenCalled();
  });

  it('never overwrites a version: versions are immutable', async () => {
    const { sut, repo } = setup();
    repo.exists.mockResolvedValue(true);
    await expect(sut.createDraft(admin, police())).rejects.toMatchObject({
      code: 'AGREEMENT.VERSION_EXISTS',
    });
    expect(repo.insert).not.toHaveBeenCalled();
  });

  it("keeps an agreement's providing agency across versions", async () => {
    const { sut, repo } = setup();
    repo.exists.mockResolvedValue(false);
    repo.anyVersion.mockResolvedValue({ partnership: 'demo', agency: 'health' } as never);
    await expect(sut.createDraft(admin, police())).rejects.toMatchObject({
      code: 'AGREEMENT.AGENCY_CHANGED',
    });
  });

  it("stores a draft in the caller's partnership, audited in the same transaction", async () => {
    const { sut, repo, audit } = setup();
    repo.exists.mockResolvedValue(false);
    repo.anyVersion.mockResolvedValue(null);
    repo.get.mockResolvedValue({
      agreementId: police().id,
      version: 1,
      partnership: 'demo',
      agency: 'police',
      status: 'draft',
      content: police(),
      hash: 'h',
    } as never);
    await sut.createDraft(admin, { ...police(), partnership: 'somewhere-else', status: 'active' });
    expect(repo.insert).toHaveBeenCalledWith(
      expect.objectContaining({ partnership: 'demo', status: 'draft', createdBy: 'admin-1' }),
      TX,
    );
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'agreement.drafted' }),
      TX,
    );
  });
});
