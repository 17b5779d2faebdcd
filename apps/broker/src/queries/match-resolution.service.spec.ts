import { NotFoundError } from '@mash/common';
import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { MemberService } from '../cases/member.service';
import { BrokerKeys } from '../keys/broker-keys';
import { fakeKeys, newTestService, TX, user } from '../../test/utils';
import { MatchResolutionService } from './match-resolution.service';
import { QueryAgencyEntity, QueryEntity } from './query.entity';
import { QueryRepository } from './query.repository';

const rep = (agency: string): Principal => ({
  sub: `rep-${agency}`,
  roles: ['agency-representative'],
  partnership: 'p1',
  agency,
});

const part = (agency: string, status: QueryAgencyEntity['status'], memberId = 'm2') =>
  Object.assign(new QueryAgencyEntity(), { queryId: 'q1', agency, memberId, status });

describe(MatchResolutionService.name, () => {
  const setup = (parts: QueryAgencyEntity[]) => {
    const t = newTestService(MatchResolutionService, [[BrokerKeys, fakeKeys()]]);
    const queries = t.get(QueryRepository);
    queries.get.mockResolvedValue({
      query: Object.assign(new QueryEntity(), { id: 'q1', caseId: 'c1', partnership: 'p1' }),
      agencies: parts,
      caseStatus: 'open',
    });
    queries.resolveMatch.mockResolvedValue(true);
    t.get(MemberService).relationships.mockResolvedValue([
      { id: 'm1', relationship: 'subject' },
      { id: 'm2', relationship: 'sibling' },
    ]);
    return { sut: t.sut, queries, audit: t.get(AuditService) };
  };

  it("rejects its own agency's possible match: no-match, the note sealed, audited without it", async () => {
    const { sut, queries, audit } = setup([part('police', 'possible-match')]);
    const view = await sut.resolve(rep('police'), 'q1', {
      memberId: 'm2',
      decision: 'reject',
      note: 'not our person',
    });
    expect(view).toMatchObject({ agency: 'police', decision: 'reject', status: 'no-match' });
    const [, agency, memberId, patch, tx] = queries.resolveMatch.mock.calls[0];
    expect([agency, memberId, patch.status, tx]).toEqual(['police', 'm2', 'no-match', TX]);
    expect(patch.resolution).toMatchObject({ decision: 'reject', by: 'rep-police' });
    expect(patch.resolution?.noteSealed).toMatch(/^sealed:/);
    const [entry] = audit.record.mock.calls[0];
    expect(entry).toMatchObject({
      action: 'query.match.resolved',
      agency: 'police',
      details: { memberId: 'm2', decision: 'reject', status: 'no-match' },
    });
    expect(JSON.stringify(entry)).not.toContain('not our person');
  });

  it('records a confirmation without changing the answer; the subject when no member is named', async () => {
    const { sut, queries } = setup([part('health', 'possible-match', 'm1')]);
    await expect(sut.resolve(rep('health'), 'q1', { decision: 'confirm' })).resolves.toMatchObject({
      decision: 'confirm',
      status: 'possible-match',
    });
    const [, , memberId, patch] = queries.resolveMatch.mock.calls[0];
    expect(memberId).toBe('m1');
    expect(patch.status).toBeUndefined();
  });

  it("treats another agency's answer as missing and refuses anything but a possible match", async () => {
    const { sut, queries, audit } = setup([
      part('police', 'possible-match'),
      part('health', 'match'),
    ]);
    await expect(
      sut.resolve(rep('education'), 'q1', { memberId: 'm2', decision: 'reject' }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      sut.resolve(rep('health'), 'q1', { memberId: 'm2', decision: 'reject' }),
    ).rejects.toMatchObject({ code: 'QUERY.NOT_POSSIBLE_MATCH' });
    await expect(
      sut.resolve(user(), 'q1', { memberId: 'm2', decision: 'reject' }),
    ).rejects.toMatchObject({ code: 'AUTH.FORBIDDEN' });
    expect(queries.resolveMatch).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });
});
