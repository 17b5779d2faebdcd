import { AuditLog } from '@mash/audit';
import { BrokerKeys } from '../keys/broker-keys';
import { fakeKeys, newTestService, TX } from '../../test/utils';
import { AuditContextRepository, key } from './audit-context.repository';
import { AuditService } from './audit.service';

describe(AuditService.name, () => {
  const setup = () => {
    const t = newTestService(AuditService, [[BrokerKeys, fakeKeys()]]);
    const context = t.get(AuditContextRepository);
    context.queryCases.mockResolvedValue(new Map([[key({ partnership: 'p1', id: 'q1' }), 'c1']]));
    context.caseStatuses.mockResolvedValue(
      new Map([[key({ partnership: 'p1', id: 'c1' }), 'open']]),
    );
    context.casePseudonyms.mockResolvedValue(
      new Map([[key({ partnership: 'p1', id: 'c1' }), ['tok']]]),
    );
    const log = t.get(AuditLog);
    log.record.mockResolvedValue(undefined);
    return { sut: t.sut, log, context };
  };
  const answer = {
    partnership: 'p1',
    actorType: 'service' as const,
    actorId: 'broker',
    action: 'query.answered',
    outcome: 'success' as const,
    queryId: 'q1',
  };

  it("adds the query's case, the case's status and its subject's pseudonyms, in the caller's transaction", async () => {
    const { sut, log, context } = setup();
    await sut.record(answer, TX);
    expect(context.queryCases).toHaveBeenCalledWith([{ partnership: 'p1', id: 'q1' }], TX);
    expect(log.record).toHaveBeenCalledWith(
      [
        expect.objectContaining({
          caseId: 'c1',
          subjectPseudonyms: ['tok'],
          details: { caseStatus: 'open' },
        }),
      ],
      { tx: TX },
    );
  });

  it('fails closed: a write that fails is AUDIT.UNAVAILABLE, a 503', async () => {
    const { sut, log } = setup();
    log.record.mockRejectedValue(new Error('database down'));
    await expect(sut.record(answer)).rejects.toMatchObject({
      code: 'AUDIT.UNAVAILABLE',
      status: 503,
    });
  });

  it('never throws for an event that accompanies no access', async () => {
    const { sut, log } = setup();
    log.record.mockRejectedValue(new Error('database down'));
    expect(() => sut.recordQuietly(answer)).not.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.record).toHaveBeenCalled();
  });

  it('gives the same subject the same pseudonyms within a partnership, and others elsewhere', () => {
    const { sut } = setup();
    const subject = { givenName: 'Ada', familyName: 'Example', dateOfBirth: '2015-05-01' };
    expect(sut.pseudonyms('p1', subject)).toEqual(sut.pseudonyms('p1', subject));
    expect(sut.pseudonyms('p1', subject)).not.toEqual(sut.pseudonyms('p2', subject));
  });
});
