import type { ThresholdMatrix } from '@mash/thresholds';
import { BrokerKeys } from '../keys/broker-keys';
import { AuditService } from '../audit/audit.service';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { MemberRepository } from '../cases/member.repository';
import { CaseMemberEntity } from '../cases/member.entity';
import { ConsentDecisionEntity } from '../consent/consent.entity';
import { ConsentPositions, ConsentService } from '../consent/consent.service';
import { QueryAgencyEntity, QueryEntity } from '../queries/query.entity';
import { OutcomeRepository } from '../outcomes/outcome.repository';
import { QueryRepository } from '../queries/query.repository';
import { fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { TransparencyService } from './transparency.service';
import { WithholdingRepository } from './withholding.repository';

const member = (id: string, relationship: string, dateOfBirth = '2015-01-01') =>
  Object.assign(new CaseMemberEntity(), {
    id,
    caseId: 'c1',
    relationship,
    detailsSealed: `sealed:${JSON.stringify({ givenName: 'A', familyName: 'B', dateOfBirth })}`,
  });

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
    t.get(ConsentService).positions.mockResolvedValue(new ConsentPositions([], 'm-child'));
    t.get(MemberRepository).forCase.mockResolvedValue([member('m-child', 'subject')]);
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

  it('tells each person of the household only what was shared about them, under their own consent', async () => {
    const t = setup();
    const mother = member('m-mother', 'parent', '1988-09-14');
    const partner = member('m-partner', 'partner-of-parent', '1985-01-30');
    const members = t.sut['members'] as unknown as jest.Mocked<MemberRepository>;
    members.forCase.mockResolvedValue([member('m-child', 'subject'), mother, partner]);
    members.get.mockImplementation((_p, _c, id) =>
      Promise.resolve([mother, partner].find((m) => m.id === id)!),
    );
    const queries = t.sut['queries'] as unknown as jest.Mocked<QueryRepository>;
    queries.listForCase.mockResolvedValue([
      Object.assign(new QueryEntity(), { id: 'q1', purpose: 'mash-triage', createdAt: NOW }),
    ]);
    const part = (memberId: string, agency: string, records: object | null, decision = 'permit') =>
      Object.assign(new QueryAgencyEntity(), {
        queryId: 'q1',
        memberId,
        agency,
        decision,
        status: records ? 'match' : decision === 'deny' ? 'denied' : 'no-match',
        recordsSealed: records ? `sealed:${JSON.stringify(records)}` : null,
        agreement: null,
        dispatchedAt: NOW,
      });
    queries.agenciesForQueries.mockResolvedValue([
      part('m-child', 'police', { occurrences: [{}], warnings: [{}] }),
      part('m-child', 'health', { attendances: [{}] }),
      part('m-partner', 'police', { warnings: [{}] }),
      part('m-mother', 'police', null, 'deny'),
      part('m-mother', 'social-care', null),
    ]);
    const consent = t.sut['consent'] as unknown as jest.Mocked<ConsentService>;
    const decision = (memberId: string | null, status: string, agencies: string[] | null) =>
      Object.assign(new ConsentDecisionEntity(), { memberId, status, agencies, reason: null });
    consent.positions.mockResolvedValue(
      new ConsentPositions(
        [decision('m-mother', 'refused', ['police', 'health']), decision(null, 'given', null)],
        'm-child',
      ),
    );

    const child = await t.sut.report(manager, 'c1', 'json');
    expect(child.title).toMatch(/your child/);
    expect(child.person).toBeUndefined();
    expect(child.agencies.map((a) => [a.agency, a.kindsOfInformation.length])).toEqual([
      ['health', 1],
      ['police', 2],
    ]);
    expect(child.consent?.status).toBe('given');

    const him = await t.sut.report(manager, 'c1', 'json', 'm-partner');
    expect(him).toMatchObject({
      title: 'What happened to information about you',
      person: { memberId: 'm-partner', relationship: 'partner-of-parent' },
      consent: { status: 'none' },
    });
    expect(him.agencies.map((a) => a.agency)).toEqual(['police']);
    expect(him.agencies[0].kindsOfInformation.map((k) => k.category)).toEqual(['warnings']);

    // Refused for police: police were never asked about her; social care found nothing.
    const her = await t.sut.report(manager, 'c1', 'json', 'm-mother');
    expect(her.consent).toMatchObject({ status: 'refused', sought: true });
    expect(her.agencies.map((a) => a.agency)).toEqual(['social-care']);
    expect(her.agencies[0].text).toMatch(/did not share any information about you\./);
    expect(t.audit.record).toHaveBeenLastCalledWith(
      expect.objectContaining({
        action: 'transparency.report.generated',
        details: { format: 'json', withheldItems: 0, memberId: 'm-mother' },
      }),
    );

    // A manager's withholding holds in every person's report.
    t.withholdings.forCase.mockResolvedValue([{ item: 'agency:police' } as never]);
    expect((await t.sut.report(manager, 'c1', 'json', 'm-partner')).agencies).toEqual([]);
  });
});
