import { AgencyAvailability } from '../agencies/agency-availability';
import { BrokerKeys } from '../keys/broker-keys';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import { CaseEntity } from '../cases/case.entity';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { ConsentPositions, ConsentService } from '../consent/consent.service';
import { ConsentDecisionEntity } from '../consent/consent.entity';
import { MemberService, type CaseMember } from '../cases/member.service';
import { demoAgreements, fakeKeys, newTestService, NOW, TX, user } from '../../test/utils';
import { AdmissionService } from './admission.service';
import { CapacityService } from './capacity.service';
import { QueryDispatcher, type Dispatch, type DispatchRequest } from './query.dispatcher';
import { QueryRepository } from './query.repository';
import { QueryService } from './query.service';
import type { QueryAgencyEntity } from './query.entity';

const CASE = '00000000-0000-4000-8000-00000000000c';
const analyst = user(['analyst'], 'analyst-1', 'demo');
const subject = { givenName: 'Ada', familyName: 'Example', dateOfBirth: '2015-05-01' };
const SUBJECT = '00000000-0000-4000-8000-0000000000a1';
const MOTHER = '00000000-0000-4000-8000-0000000000a2';
const SIBLING = '00000000-0000-4000-8000-0000000000a3';
const household: CaseMember[] = [
  { id: SUBJECT, relationship: 'subject', details: subject },
  {
    id: MOTHER,
    relationship: 'parent',
    details: { givenName: 'Beth', familyName: 'Example', dateOfBirth: '1990-02-03' },
  },
  {
    id: SIBLING,
    relationship: 'sibling',
    details: { givenName: 'Cal', familyName: 'Example', dateOfBirth: '2017-01-09' },
  },
];
const consentGiven = (memberId: string | null, patch: Partial<ConsentDecisionEntity> = {}) =>
  Object.assign(new ConsentDecisionEntity(), {
    memberId,
    status: 'given',
    reason: null,
    agencies: null,
    decidedRole: 'analyst',
    approvedBy: null,
    ...patch,
  });

describe(QueryService.name, () => {
  const setup = (status = 'open', people: CaseMember[] = household.slice(0, 1)) => {
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
    const consent = t.get(ConsentService);
    consent.positions.mockResolvedValue(new ConsentPositions([consentGiven(null)], SUBJECT));
    const members = t.get(MemberService);
    members.open.mockResolvedValue(people);
    members.relationships.mockResolvedValue(
      people.map((m) => ({ id: m.id, relationship: m.relationship })),
    );
    t.get(AgreementRepository).forDecision.mockResolvedValue(demoAgreements());
    t.get(AuditService).pseudonyms.mockReturnValue(['pseudonym']);
    const capacity = t.get(CapacityService);
    capacity.admit.mockImplementation((_p, agencies) => Promise.resolve(new Set(agencies)));
    const availability = t.get(AgencyAvailability);
    availability.knownDown.mockResolvedValue(new Set());
    const release = jest.fn();
    t.get(AdmissionService).enter.mockReturnValue(release);
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
      return Promise.resolve({
        query: { ...query, createdAt: NOW },
        agencies: parts,
        caseStatus: 'open',
      });
    });
    return {
      sut: t.sut,
      capacity,
      dispatcher,
      queries,
      consent,
      availability,
      release,
      audit: t.get(AuditService),
    };
  };
  const partsOf = (queries: ReturnType<typeof setup>['queries']): QueryAgencyEntity[] =>
    queries.insert.mock.calls[0][1];

  it('asks nothing about a case that is not open, and gives its place among creations back', async () => {
    const { sut, queries, dispatcher, release } = setup('closed');
    await expect(
      sut.create(analyst, CASE, { purpose: 'mash-triage', agencies: ['police'] }),
    ).rejects.toMatchObject({ code: 'CASE.NOT_OPEN' });
    expect(release).toHaveBeenCalledTimes(1);
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
    const [tx, dispatches, alongside] = dispatcher.commit.mock.calls[0];
    expect(tx).toBe(TX);
    expect(dispatches.map((d) => d.grantId)).toEqual(['grant-police']);
    // The request's own entries are written with the dispatches', naming the case's status.
    expect(alongside).toEqual({
      caseStatus: 'open',
      entries: expect.arrayContaining([expect.objectContaining({ action: 'query.requested' })]),
    });
    expect(audit.record).not.toHaveBeenCalled();
    // Once committed, the audit context knows the query's case for the entries that follow.
    expect(audit.queryCreated).toHaveBeenCalledWith('demo', partsOf(queries)[0].queryId, CASE);
    expect(dispatcher.sent).toHaveBeenCalledWith(dispatches);
  });

  it('queues a permitted agency that is over its capacity instead of dispatching it', async () => {
    const { sut, queries, dispatcher, capacity } = setup();
    capacity.admit.mockResolvedValue(new Set());
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
    expect(dispatcher.commit).toHaveBeenCalledWith(TX, [], expect.anything());
  });

  it('settles at once the part of an agency known down, audited, and still asks the others', async () => {
    const { sut, queries, dispatcher, capacity, availability } = setup();
    availability.knownDown.mockResolvedValue(new Set(['police']));
    const view = await sut.create(analyst, CASE, {
      purpose: 'mash-triage',
      agencies: ['police', 'health'],
    });
    expect(availability.knownDown).toHaveBeenCalledWith(['police', 'health']);
    expect(view.agencies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          agency: 'police',
          status: 'failed',
          failure: 'AGENCY.UNAVAILABLE',
        }),
        expect.objectContaining({ agency: 'health', status: 'pending' }),
      ]),
    );
    // Nothing is built, sent or counted against capacity for police; health goes as usual.
    expect(dispatcher.build.mock.calls.map(([r]) => r.decision.agency)).toEqual(['health']);
    expect(capacity.admit).toHaveBeenCalledWith('demo', ['health']);
    // Failed by an update in the query's transaction, so the query's event stream sees it.
    expect(queries.failPending).toHaveBeenCalledWith(
      expect.any(String),
      ['police'],
      'AGENCY.UNAVAILABLE',
      TX,
    );
    expect(dispatcher.commit).toHaveBeenCalledWith(
      TX,
      [expect.objectContaining({ grantId: 'grant-health' })],
      expect.objectContaining({
        entries: expect.arrayContaining([
          expect.objectContaining({
            action: 'query.agency.unavailable',
            outcome: 'failure',
            agency: 'police',
          }),
        ]),
      }),
    );
  });

  describe('a household', () => {
    it('asks each agency about each person its agreement covers, an adult in the adult categories only', async () => {
      const { sut, queries, dispatcher, consent } = setup('open', household);
      consent.positions.mockResolvedValue(
        new ConsentPositions(
          [
            // The mother refused for herself, for police; the child's consent was given.
            consentGiven(MOTHER, { status: 'refused', reason: null, agencies: ['police'] }),
            consentGiven(MOTHER, { agencies: ['health'] }),
            consentGiven(null),
          ],
          SUBJECT,
        ),
      );
      const view = await sut.create(analyst, CASE, {
        purpose: 'mash-triage',
        agencies: ['police', 'health'],
      });
      const parts = partsOf(queries);
      const part = (agency: string, memberId: string) =>
        parts.find((p) => p.agency === agency && p.memberId === memberId);
      // One grant per person and agency: each built with that person's own details.
      expect(part('police', SUBJECT)).toMatchObject({ decision: 'permit', status: 'pending' });
      expect(part('police', SIBLING)).toMatchObject({ decision: 'permit', status: 'pending' });
      expect(part('police', MOTHER)).toMatchObject({ decision: 'deny', status: 'denied' });
      expect(part('police', MOTHER)?.reasons.map((r) => r.code)).toContain(
        'POLICY.CONSENT_REFUSED',
      );
      // She consented for health: asked about there, in the adult categories only.
      expect(part('health', MOTHER)).toMatchObject({ decision: 'permit' });
      expect(part('health', MOTHER)?.obligations?.categories.map((c) => c.name)).toEqual(['flags']);
      expect(part('health', SIBLING)?.obligations?.categories.map((c) => c.name)).toEqual(
        part('health', SUBJECT)?.obligations?.categories.map((c) => c.name),
      );
      expect(
        dispatcher.build.mock.calls.map(([r]) => [
          r.decision.agency,
          r.memberId,
          r.subject.givenName,
        ]),
      ).toEqual(
        expect.arrayContaining([
          ['police', SUBJECT, 'Ada'],
          ['police', SIBLING, 'Cal'],
          ['health', MOTHER, 'Beth'],
        ]),
      );
      expect(
        dispatcher.build.mock.calls.some(
          ([r]) => r.decision.agency === 'police' && r.memberId === MOTHER,
        ),
      ).toBe(false);
      // The subject's answers keep their shape; a member's carry the member's id.
      expect(
        view.agencies
          .filter((a) => !a.memberId)
          .map((a) => a.agency)
          .sort(),
      ).toEqual(['health', 'police']);
      expect(
        view.agencies.find((a) => a.memberId === MOTHER && a.agency === 'police'),
      ).toMatchObject({
        relationship: 'parent',
        status: 'denied',
      });
    });

    it('admits a household to an agency over capacity once: every person waits in one entry', async () => {
      const { sut, queries, capacity, dispatcher } = setup('open', household);
      capacity.admit.mockResolvedValue(new Set());
      capacity.entry.mockReturnValue({ queryId: 'q', agency: 'police' } as never);
      await sut.create(analyst, CASE, { purpose: 'mash-triage', agencies: ['police'] });
      expect(capacity.admit).toHaveBeenCalledTimes(1);
      expect(partsOf(queries).filter((p) => p.status === 'queued')).toHaveLength(2);
      expect(capacity.enqueue).toHaveBeenCalledWith(TX, [{ queryId: 'q', agency: 'police' }]);
      expect(dispatcher.build).not.toHaveBeenCalled();
    });
  });
});
