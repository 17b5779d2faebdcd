import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { CaseMemberEntity } from '../cases/member.entity';
import { MemberRepository } from '../cases/member.repository';
import { ConsentService } from '../consent/consent.service';
import { BrokerKeys } from '../keys/broker-keys';
import { QueryRepository } from '../queries/query.repository';
import { demoAgreements, fakeKeys, newTestService, NOW, user } from '../../test/utils';
import { ContributionRepository } from './contribution.repository';
import { ContributionService, isAdult } from './contribution.service';

const police: Principal = {
  sub: 'rep-1',
  roles: ['agency-representative'],
  partnership: 'demo',
  agency: 'police',
};
const soft = { kind: 'soft-intelligence' as const, text: 'Seen at the address late at night.' };

describe(ContributionService.name, () => {
  const setup = () => {
    const t = newTestService(ContributionService, [[BrokerKeys, fakeKeys()]]);
    t.get(CaseRepository).get.mockResolvedValue(
      Object.assign(new CaseEntity(), { id: 'c1', status: 'open', level: 3, rag: 'red' }),
    );
    t.get(QueryRepository).askedPurposes.mockResolvedValue(['mash-triage']);
    t.get(ConsentService).positionFor.mockResolvedValue({
      status: 'not-sought',
      reason: 'risk-of-significant-harm',
      managerApproved: true,
    });
    t.get(AgreementRepository).forDecision.mockResolvedValue(demoAgreements());
    return {
      sut: t.sut,
      contributions: t.get(ContributionRepository),
      members: t.get(MemberRepository),
      queries: t.get(QueryRepository),
      audit: t.get(AuditService),
    };
  };

  it('stores a permitted contribution sealed, with the agreement and gateways it rests on', async () => {
    const { sut, contributions, audit } = setup();
    const view = await sut.record(police, 'c1', soft);
    expect(view).toMatchObject({ agency: 'police', purpose: 'mash-triage', text: soft.text });
    expect(view.basis.legalGateways.length).toBeGreaterThan(0);
    const row = contributions.insert.mock.calls[0][0];
    expect(row.textSealed).toBe(`sealed:${JSON.stringify(soft.text)}`);
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'case.contribution.recorded', agency: 'police' }),
      expect.anything(),
    );
  });

  it('answers 404 for a case the agency was not asked about', async () => {
    const { sut, queries, contributions } = setup();
    queries.askedPurposes.mockResolvedValue([]);
    await expect(sut.record(police, 'c1', soft)).rejects.toMatchObject({ code: 'CASE.NOT_FOUND' });
    expect(contributions.insert).not.toHaveBeenCalled();
  });

  it("refuses, and audits the refusal, where the agreement does not cover the member's relationship", async () => {
    const { sut, members, contributions, audit } = setup();
    members.get.mockResolvedValue(
      Object.assign(new CaseMemberEntity(), {
        id: 'm1',
        relationship: 'partner-of-parent',
        detailsSealed: `sealed:${JSON.stringify({ givenName: 'A', familyName: 'B', dateOfBirth: '1990-01-01' })}`,
      }),
    );
    // Schools' agreement covers the household's children only, not a parent's partner.
    await expect(
      sut.record({ ...police, agency: 'education' }, 'c1', {
        ...soft,
        memberId: '00000000-0000-4000-8000-000000000001',
      }),
    ).rejects.toMatchObject({ code: 'CONTRIBUTION.NOT_PERMITTED' });
    expect(contributions.insert).not.toHaveBeenCalled();
    expect(audit.record).toHaveBeenCalledWith(
      expect.objectContaining({ action: 'case.contribution.refused', outcome: 'deny' }),
    );
  });

  it('refuses anyone but a representative', async () => {
    const { sut } = setup();
    await expect(sut.record(user(['analyst']), 'c1', soft)).rejects.toMatchObject({
      code: 'AUTH.FORBIDDEN',
    });
  });

  it("shows a representative only their own agency's contributions", async () => {
    const { sut, contributions } = setup();
    contributions.forCase.mockResolvedValue([]);
    await sut.list(police, 'c1');
    expect(contributions.forCase).toHaveBeenCalledWith('demo', 'c1', 'police');
    await sut.list(user(['analyst'], 'a1', 'demo'), 'c1');
    expect(contributions.forCase).toHaveBeenLastCalledWith('demo', 'c1', undefined);
  });
});

describe(isAdult.name, () => {
  it('counts a person adult from their eighteenth birthday, on the London calendar', () => {
    expect(isAdult('2008-06-03', NOW)).toBe(true);
    expect(isAdult('2008-06-04', NOW)).toBe(false);
    // 23:30 UTC on 3 June is already 4 June in London (BST).
    expect(isAdult('2008-06-04', new Date('2026-06-03T23:30:00Z'))).toBe(true);
  });
});
