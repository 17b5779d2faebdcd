import { AuditService } from '../audit/audit.service';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { newTestService, NOW, user } from '../../test/utils';
import type { QueryAgencyEntity, QueryEntity } from './query.entity';
import type { QueryEventRow } from './query-event.repository';
import { QueryEventsListener } from './query-events.listener';
import { QueryEventsService, QueryEventStream, type QueryEventSink } from './query-events.service';
import { QueryRepository } from './query.repository';
import { QueryService, type AgencyView } from './query.service';

const analyst = user(['analyst'], 'analyst-1', 'demo');
const SUBJECT = '00000000-0000-4000-8000-0000000000a1';
const MOTHER = '00000000-0000-4000-8000-0000000000a2';
const query = (status = 'pending') =>
  ({
    id: 'q1',
    caseId: 'c1',
    status,
    completedAt: status === 'pending' ? null : NOW,
  }) as QueryEntity;
const part = (agency: string, memberId = SUBJECT, recordsSealed: string | null = null) =>
  ({
    agency,
    memberId,
    recordsSealed,
    status: recordsSealed ? 'match' : 'pending',
  }) as QueryAgencyEntity;

describe(QueryEventsService.name, () => {
  const setup = (status = 'pending', parts: QueryAgencyEntity[] = [part('police')]) => {
    const t = newTestService(QueryEventsService, [
      [BROKER_CONFIG, { queryEventsHeartbeatSeconds: 15 } as BrokerConfig],
    ]);
    // The query's event log, as the repository reads it with the query: after the cursor.
    const log: QueryEventRow[] = [];
    const queries = t.get(QueryRepository);
    queries.getWithEvents.mockImplementation((_partnership, _id, seq) =>
      Promise.resolve({
        query: query(status),
        agencies: parts,
        caseStatus: 'open',
        events: log.filter((e) => e.seq > seq),
      }),
    );
    const view = t.get(QueryService).view;
    // The view of each part names its agency and person, so a spec can see which part it is.
    view.mockImplementation((found) =>
      Promise.resolve({
        agencies: found.agencies.map(
          (p) => ({ agency: p.agency, memberId: p.memberId }) as unknown as AgencyView,
        ),
      } as Awaited<ReturnType<QueryService['view']>>),
    );
    return {
      sut: t.sut,
      queries,
      events: { add: (...rows: QueryEventRow[]) => void log.push(...rows) },
      audit: t.get(AuditService),
      listener: t.get(QueryEventsListener),
      view,
    };
  };

  describe('open', () => {
    it('has nothing more to say of a finished query whose last event the client has seen', async () => {
      const { sut, events } = setup('complete');
      events.add({ seq: 7, agency: null, memberId: null, status: 'complete' });
      await expect(sut.open(analyst, 'q1', 7)).resolves.toBeUndefined();
      await expect(sut.open(analyst, 'q1', 6)).resolves.toBeInstanceOf(QueryEventStream);
    });

    it('streams a pending query from the start when the client has seen nothing', async () => {
      const { sut } = setup('pending');
      await expect(sut.open(analyst, 'q1', undefined)).resolves.toBeInstanceOf(QueryEventStream);
    });
  });

  describe('since', () => {
    it('gives each changed part once, at its last change, in order of change', async () => {
      const { sut, queries, events, audit } = setup('pending', [
        part('police'),
        part('police', MOTHER),
        part('health'),
        part('education'),
      ]);
      events.add(
        { seq: 4, agency: 'health', memberId: SUBJECT, status: 'pending' },
        { seq: 5, agency: 'police', memberId: MOTHER, status: 'no-match' },
        { seq: 6, agency: 'health', memberId: SUBJECT, status: 'no-match' },
      );
      const result = await sut.since(analyst, 'q1', 3);
      expect(queries.getWithEvents).toHaveBeenCalledWith('demo', 'q1', 3);
      expect(result).toEqual({
        cursor: 6,
        parts: [
          { seq: 5, view: { agency: 'police', memberId: MOTHER } },
          { seq: 6, view: { agency: 'health', memberId: SUBJECT } },
        ],
      });
      // Nothing released: no view of records to audit.
      expect(audit.record).not.toHaveBeenCalled();
    });

    it('audits released records before showing them, and ends a finished query', async () => {
      const { sut, events, audit, view } = setup('complete', [part('police', SUBJECT, 'sealed')]);
      events.add({ seq: 9, agency: 'police', memberId: SUBJECT, status: 'match' });
      const result = await sut.since(analyst, 'q1', 8);
      expect(audit.record).toHaveBeenCalledWith(
        expect.objectContaining({
          action: 'query.results.viewed',
          caseId: 'c1',
          queryId: 'q1',
          // The case's status read with the query, so the log need not read it again.
          details: { agencies: ['police'], via: 'events', caseStatus: 'open' },
        }),
      );
      expect(audit.record.mock.invocationCallOrder[0]).toBeLessThan(
        view.mock.invocationCallOrder[0],
      );
      expect(result.done).toEqual({ id: 'q1', status: 'complete', completedAt: NOW.toISOString() });
    });

    it('reads nothing more when the log has nothing after the cursor', async () => {
      const { sut, events, audit, view } = setup('complete', [part('police', SUBJECT, 'sealed')]);
      events.add({ seq: 9, agency: 'police', memberId: SUBJECT, status: 'match' });
      await expect(sut.since(analyst, 'q1', 9)).resolves.toEqual({ parts: [], cursor: 9 });
      expect(audit.record).not.toHaveBeenCalled();
      expect(view).not.toHaveBeenCalled();
    });
  });

  describe(QueryEventStream.name, () => {
    it('writes the changes, then the last event, and stops following', async () => {
      const { sut, events, listener } = setup('complete', [part('police')]);
      const unfollow = jest.fn();
      listener.follow.mockResolvedValue(unfollow);
      events.add({ seq: 2, agency: 'police', memberId: SUBJECT, status: 'no-match' });
      const sink: jest.Mocked<QueryEventSink> = {
        event: jest.fn(),
        comment: jest.fn(),
        end: jest.fn(),
      };
      const stream = (await sut.open(analyst, 'q1', 1))!;
      await stream.start(sink);
      expect(sink.event.mock.calls).toEqual([
        [2, 'agency', { agency: 'police', memberId: SUBJECT }],
        [2, 'query', expect.objectContaining({ id: 'q1', status: 'complete' })],
      ]);
      expect(sink.end).toHaveBeenCalledTimes(1);
      expect(unfollow).toHaveBeenCalledTimes(1);
    });

    it('ends the stream without showing anything when the audit cannot be written', async () => {
      const { sut, events, audit, listener } = setup('pending', [
        part('police', SUBJECT, 'sealed'),
      ]);
      listener.follow.mockResolvedValue(jest.fn());
      events.add({ seq: 3, agency: 'police', memberId: SUBJECT, status: 'match' });
      audit.record.mockRejectedValue(new Error('audit down'));
      const sink: jest.Mocked<QueryEventSink> = {
        event: jest.fn(),
        comment: jest.fn(),
        end: jest.fn(),
      };
      const stream = (await sut.open(analyst, 'q1', undefined))!;
      await stream.start(sink);
      expect(sink.event).not.toHaveBeenCalled();
      expect(sink.end).toHaveBeenCalledTimes(1);
    });
  });
});
