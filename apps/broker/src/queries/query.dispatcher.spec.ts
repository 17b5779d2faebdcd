import type { Decision } from '@mash/policy';
import { AuditService } from '../audit/audit.service';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerKeys } from '../keys/broker-keys';
import { OutboxService } from '../outbox/outbox.service';
import { fakeKeys, newTestService, NOW, TX } from '../../test/utils';
import { QueryDispatcher, type Dispatch } from './query.dispatcher';

const dispatch = (agency: string): Dispatch => ({
  request: {
    partnership: 'demo',
    caseId: 'c1',
    queryId: 'q1',
    decision: { agency, agreement: null } as unknown as Decision,
    subject: { givenName: 'Ada', familyName: 'Example', dateOfBirth: '2015-05-01' },
    requestedBy: 'analyst-1',
    requestedRole: 'analyst',
    deadlineAt: NOW,
    now: NOW,
  },
  grantId: `grant-${agency}`,
  requestHash: 'hash',
  record: { topic: `t.${agency}`, key: 'q1', value: '{}', headers: {} },
});

describe(QueryDispatcher.name, () => {
  const setup = () => {
    const t = newTestService(QueryDispatcher, [
      [BROKER_CONFIG, {} as BrokerConfig],
      [BrokerKeys, fakeKeys()],
    ]);
    return { sut: t.sut, audit: t.get(AuditService), outbox: t.get(OutboxService) };
  };
  const requested = {
    partnership: 'demo',
    actorType: 'user' as const,
    actorId: 'analyst-1',
    action: 'query.requested',
    outcome: 'success' as const,
    caseId: 'c1',
    queryId: 'q1',
    details: { purpose: 'mash-triage' },
  };

  it("writes the caller's entries and the dispatches' in one audit write, then queues the records", async () => {
    const { sut, audit, outbox } = setup();
    await sut.commit(TX, [dispatch('police'), dispatch('health')], {
      entries: [requested],
      caseStatus: 'open',
    });
    expect(audit.record).toHaveBeenCalledTimes(1);
    const [entries, tx] = audit.record.mock.calls[0];
    expect(tx).toBe(TX);
    expect(entries).toEqual([
      { ...requested, details: { purpose: 'mash-triage', caseStatus: 'open' } },
      expect.objectContaining({
        action: 'query.dispatched',
        agency: 'police',
        details: expect.objectContaining({ grantId: 'grant-police', caseStatus: 'open' }),
      }),
      expect.objectContaining({ action: 'query.dispatched', agency: 'health' }),
    ]);
    expect(outbox.enqueue).toHaveBeenCalledWith(TX, [
      expect.objectContaining({ topic: 't.police' }),
      expect.objectContaining({ topic: 't.health' }),
    ]);
  });

  it("still writes the caller's entries when nothing is dispatched, and leaves the status to the log", async () => {
    const { sut, audit, outbox } = setup();
    await sut.commit(TX, [], { entries: [requested] });
    expect(audit.record).toHaveBeenCalledWith([requested], TX);
    expect(outbox.enqueue).not.toHaveBeenCalled();
  });

  it('writes nothing for nothing', async () => {
    const { sut, audit } = setup();
    await sut.commit(TX, []);
    expect(audit.record).not.toHaveBeenCalled();
  });
});
