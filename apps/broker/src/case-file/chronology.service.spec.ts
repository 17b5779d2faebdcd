import { legalGateway, type LegalGatewayCode } from '@mash/policy';
import { AgreementRepository } from '../agreements/agreement.repository';
import type { AgreementVersionEntity } from '../agreements/agreement.entity';
import { AuditService } from '../audit/audit.service';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { MemberService, type MemberView } from '../cases/member.service';
import { ContributionService, type ContributionView } from '../contributions/contribution.service';
import { BrokerKeys } from '../keys/broker-keys';
import type { QueryAgencyEntity, QueryEntity } from '../queries/query.entity';
import { QueryRepository } from '../queries/query.repository';
import { demoAgreements, fakeKeys, newTestService, user } from '../../test/utils';
import { ChronologyService } from './chronology.service';

const CASE = '00000000-0000-4000-8000-00000000000c';
const SUBJECT = '00000000-0000-4000-8000-0000000000a1';
const MOTHER = '00000000-0000-4000-8000-0000000000a2';
const analyst = user(['analyst'], 'analyst-1', 'demo');
const police = demoAgreements().find((a) => a.agency === 'police')!;
const policeRef = { id: police.id, version: police.version, hash: 'h' };

const people: MemberView[] = [
  {
    id: SUBJECT,
    relationship: 'subject',
    addedAt: '2026-06-01T09:00:00.000Z',
    addedBy: 'analyst-1',
    givenName: 'Ada',
    familyName: 'Example',
  },
  {
    id: MOTHER,
    relationship: 'parent',
    addedAt: '2026-06-01T09:00:00.000Z',
    addedBy: 'analyst-1',
    dataDeleted: true,
  },
];
const query = { id: 'q1', caseId: CASE, purpose: 'mash-triage' } as QueryEntity;
const part = (patch: Partial<QueryAgencyEntity>) =>
  ({
    agency: 'police',
    memberId: SUBJECT,
    status: 'match',
    agreement: policeRef,
    obligations: null,
    match: null,
    recordsSealed: null,
    respondedAt: null,
    ...patch,
  }) as QueryAgencyEntity;
const contribution = (patch: Partial<ContributionView> = {}): ContributionView => ({
  id: 'k1',
  caseId: CASE,
  agency: 'education',
  kind: 'soft-intelligence',
  text: 'Late to school most days.',
  memberId: MOTHER,
  confidence: 'medium',
  purpose: 'mash-triage',
  basis: { agreement: { id: 'a-edu', version: 1, hash: 'e' }, legalGateways: [] },
  contributedBy: 'rep-1',
  contributedAt: '2026-06-02T12:00:00.000Z',
  ...patch,
});

describe(ChronologyService.name, () => {
  const setup = () => {
    const keys = fakeKeys();
    const t = newTestService(ChronologyService, [[BrokerKeys, keys]]);
    t.get(CaseRepository).get.mockResolvedValue(new CaseEntity());
    t.get(MemberService).list.mockResolvedValue(people);
    t.get(ContributionService).forCase.mockResolvedValue([]);
    t.get(QueryRepository).partsForCase.mockResolvedValue([]);
    t.get(AgreementRepository).get.mockResolvedValue({ content: police } as AgreementVersionEntity);
    return {
      sut: t.sut,
      keys,
      queries: t.get(QueryRepository),
      contributions: t.get(ContributionService),
      agreements: t.get(AgreementRepository),
      audit: t.get(AuditService),
      cases: t.get(CaseRepository),
    };
  };

  it('lists answers and contributions oldest first, each with its person, basis and source', async () => {
    const { sut, queries, contributions, keys } = setup();
    const sealed = await keys.cipher.seal({
      incidents: [{ summary: 'Domestic call-out', officer: 'PC 123' }],
    });
    queries.partsForCase.mockResolvedValue([
      {
        query,
        part: part({
          respondedAt: new Date('2026-06-03T08:00:00.000Z'),
          match: { confidence: 0.97, method: 'deterministic', evidence: [] },
          recordsSealed: sealed,
          obligations: {
            categories: [{ name: 'incidents', fields: [{ name: 'summary', action: 'include' }] }],
            retentionDays: 90,
            justificationRequired: false,
          },
        }),
      },
      // Not answered yet: not part of the chronology.
      { query, part: part({ agency: 'health' }) },
    ]);
    contributions.forCase.mockResolvedValue([contribution()]);

    const { caseId, items } = await sut.read(analyst, CASE);

    expect(caseId).toBe(CASE);
    expect(items).toEqual([
      {
        type: 'contribution',
        at: '2026-06-02T12:00:00.000Z',
        agency: 'education',
        // The mother's details were deleted: named by her relationship alone.
        member: { id: MOTHER, relationship: 'parent', name: null },
        basis: {
          purpose: 'mash-triage',
          agreement: { id: 'a-edu', version: 1, hash: 'e' },
          legalGateways: [],
        },
        kind: 'soft-intelligence',
        text: 'Late to school most days.',
        confidence: 'medium',
        source: { kind: 'agency-representative', contributionId: 'k1', contributedBy: 'rep-1' },
      },
      {
        type: 'answer',
        at: '2026-06-03T08:00:00.000Z',
        agency: 'police',
        member: { id: SUBJECT, relationship: 'subject', name: 'Ada Example' },
        basis: {
          purpose: 'mash-triage',
          agreement: policeRef,
          // The purpose's gateways (deploy/agreements/demo/police.yaml), not the agreement's.
          legalGateways: [
            'uk-gdpr-art-6-1-e',
            'uk-gdpr-art-9-2-g',
            'dpa-2018-sch-1-para-18',
            'cda-1998-s115',
            'ca-2004-s11',
          ].map((code) => ({ code, label: legalGateway(code as LegalGatewayCode).label })),
        },
        status: 'match',
        match: { confidence: 0.97, method: 'deterministic' },
        // Minimised to what the obligations let through: the officer is not shown.
        records: { incidents: [{ summary: 'Domestic call-out' }] },
        source: { kind: 'agency-system', queryId: 'q1' },
      },
    ]);
  });

  it('reads each agreement once and shows no gateways for one it cannot find', async () => {
    const { sut, queries, agreements } = setup();
    const at = (h: number) => new Date(Date.UTC(2026, 5, 3, h));
    queries.partsForCase.mockResolvedValue([
      { query, part: part({ respondedAt: at(8) }) },
      { query, part: part({ respondedAt: at(9), memberId: MOTHER }) },
      {
        query,
        part: part({
          agency: 'health',
          respondedAt: at(10),
          agreement: { id: 'gone', version: 9, hash: 'x' },
        }),
      },
      { query, part: part({ agency: 'education', respondedAt: at(11), agreement: null }) },
    ]);
    agreements.get.mockImplementation((_p, id) =>
      id === police.id
        ? Promise.resolve({ content: police } as AgreementVersionEntity)
        : Promise.reject(new Error('no such agreement')),
    );

    const { items } = await sut.read(analyst, CASE);

    expect(agreements.get).toHaveBeenCalledTimes(2);
    expect(items.map((i) => [i.agency, i.basis.legalGateways.length > 0])).toEqual([
      ['police', true],
      ['police', true],
      ['health', false],
      ['education', false],
    ]);
    expect(items[1].member).toEqual({ id: MOTHER, relationship: 'parent', name: null });
    expect(items.every((i) => !('records' in i))).toBe(true);
  });

  it('audits the view with counts and agencies, never the contents', async () => {
    const { sut, queries, contributions, audit } = setup();
    queries.partsForCase.mockResolvedValue([
      { query, part: part({ respondedAt: new Date('2026-06-03T08:00:00.000Z') }) },
    ]);
    contributions.forCase.mockResolvedValue([contribution(), contribution({ id: 'k2' })]);
    await sut.read(analyst, CASE);
    expect(audit.record).toHaveBeenCalledWith({
      partnership: 'demo',
      actorType: 'user',
      actorId: 'analyst-1',
      actorRole: 'analyst',
      action: 'case.chronology.viewed',
      outcome: 'success',
      caseId: CASE,
      details: { answers: 1, contributions: 2, agencies: ['education', 'police'] },
    });
  });

  it("answers the case's 404 before reading anything for a case of another partnership", async () => {
    const { sut, cases, queries, audit } = setup();
    cases.get.mockRejectedValue(Object.assign(new Error('not found'), { code: 'CASE.NOT_FOUND' }));
    await expect(sut.read(analyst, CASE)).rejects.toMatchObject({ code: 'CASE.NOT_FOUND' });
    expect(queries.partsForCase).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });
});
