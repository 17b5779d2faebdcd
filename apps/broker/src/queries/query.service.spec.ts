import { BrokerKeys } from '../keys/broker-keys';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { ConsentService } from '../consent/consent.service';
import { demoAgreements, fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { CapacityService } from './capacity.service';
import { QueryDispatcher, type Dispatch, type DispatchRequest } from './query.dispatcher';
import { QueryRepository } from './query.repository';
import { QueryService } from './query.service';
import type { QueryAgencyEntity } from './query.entity';

const CASE = '00000000-0000-4000-8000-00000000000c';
const analyst = user(['analyst'], 'analyst-1', 'demo');
const subject = { givenName: 'Ada', familyName: 'Example', dateOfBirth: '2015-05-01' };

describe(QueryService.name, () => {
  const setup = (status = 'open') => {
    const t = newTestService(QueryService, [
      [BROKER_CONFIG, { queryTimeoutMs: 60_000 } as BrokerConfig],
      [BrokerKeys, fakeKeys()],
      [BrokerMetrics, new BrokerMetrics()],
    ]);
    t.get(CaseRepository).get.mockResolvedValue(
      Object.assign(new CaseEntity(), {
        id: CASE,
        partnership: 'demo',
        status,
        level: 4,
        rag: 'red',
      }),
    );
    t.get(CaseService).subjectOf.mockResolvedValue(subject);
    t.get(ConsentService).positionFor.mockResolvedValue({ status: 'given' });
    t.get(AgreementRepository).forDecision.mockResolvedValue(demoAgreements());
    t.get(AuditService).pseudonyms.mockReturnValue(['pseudonym']);
    const capacity = t.get(CapacityService);
    capacity.admit.mockResolvedValue(true);
    const dispatcher = t.get(QueryDispatcher);
    dispatcher.build.mockImplementation((request: DispatchRequest) =>
      Promise.resolve({
        request,
        grantId: `grant-${request.decision.agency}`,
        requestHash: 'hash',
        record: { topic: 't', key: request.queryId, value: '{}', headers: {} },
      } satisfies Dispatch),
    );
    const queries = t.get(QueryRepository);
    // The read after the commit returns what was inserted.
    queries.get.mockImplementation(() => {
      const [query, parts] = queries.insert.mock.calls[0];
      return Promise.resolve({ query: { ...query, createdAt: NOW }, agencies: parts });
    });
    return { sut: t.sut, capacity, dispatcher, queries, audit: t.get(AuditService) };
  };
  const partsOf = (queries: ReturnType<typeof setup>['queries']): QueryAgencyEntity[] =>
    queries.insert.mock.calls[0][1];

  it('asks nothing about a case that is not open', async () => {
    const { sut, queries, dispatcher } = setup('closed');
    await expect(
      sut.create(analyst, CASE, { purpose: 'mash-triage', agencies: ['police'] }),
    ).rejects.toMatchObject({ code: 'CASE.NOT_OPEN' });
    expect(queries.insert).not.toHaveBeenCalled();
    expect(dispatcher.build).not.toHaveBeenCalled();
  });

  it('dispatches a permitted agency through the dispatcher, in the transaction of the query', async () => {
    const { sut, queries, dispatcher, audit } = setup();
    const view = await sut.create(analyst, CASE, { purpose: 'mash-triage', agencies: ['police'] });
    expect(view.agencies).toEqual([
      expect.objectContaining({ agency: 'police', decision: 'permit', status: 'pending' }),
    ]);
    expect(dispatcher.build).toHaveBeenCalledWith(
      expect.objectContaining({
        partnership: 'demo',
        caseId: CASE,
        subject,
        requestedBy: 'analyst-1',
        requestedRole: 'analyst',
        now: NOW,
        deadlineAt: new Date(NOW.getTime() + 60_000),
        subjectPseudonyms: ['pseudonym'],
      }),
    );
    expect(partsOf(queries)[0]).toMatchObject({ grantId: 'grant-police', dispatchedAt: NOW });
    const [tx, dispatches] = dispatcher.commit.mock.calls[0];
    expect(tx).toBe(TX);
    expect(dispatches.map((d) => d.grantId)).toEqual(['grant-police']);
    expect(audit.record).toHaveBeenCalledWith(
      expect.arrayContaining([expect.objectContaining({ action: 'query.requested' })]),
      TX,
    );
    expect(dispatcher.sent).toHaveBeenCalledWith(dispatches);
  });

  it('queues a permitted agency that is over its capacity instead of dispatching it', async () => {
    const { sut, queries, dispatcher, capacity } = setup();
    capacity.admit.mockResolvedValue(false);
    capacity.entry.mockReturnValue({ queryId: 'q' } as never);
    await sut.create(analyst, CASE, { purpose: 'mash-triage', agencies: ['police'] });
    expect(partsOf(queries)[0]).toMatchObject({ status: 'queued', grantId: null });
    expect(dispatcher.build).not.toHaveBeenCalled();
    expect(capacity.enqueue).toHaveBeenCalledWith(TX, [{ queryId: 'q' }]);
  });

  it('fails only the part of an agency whose keys cannot be fetched', async () => {
    const { sut, queries, dispatcher } = setup();
    dispatcher.build.mockRejectedValue(new Error('connect ECONNREFUSED'));
    await sut.create(analyst, CASE, { purpose: 'mash-triage', agencies: ['police'] });
    expect(partsOf(queries)[0]).toMatchObject({
      status: 'failed',
      failureCode: 'AGENCY.KEYS_UNAVAILABLE',
    });
    expect(dispatcher.commit).toHaveBeenCalledWith(TX, []);
  });
});
