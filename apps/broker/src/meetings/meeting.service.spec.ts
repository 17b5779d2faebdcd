import { AuditService } from '../audit/audit.service';
import type { Principal } from '../auth/principal';
import { CaseEntity } from '../cases/case.entity';
import { CaseService } from '../cases/case.service';
import { ThresholdService } from '../thresholds/threshold.service';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerKeys } from '../keys/broker-keys';
import { OutboxService } from '../outbox/outbox.service';
import { QueryRepository } from '../queries/query.repository';
import { demoThresholds, fakeKeys, newTestService, user } from '../../test/utils';
import { MeetingRepository } from './meeting.repository';
import { MeetingService } from './meeting.service';

const C1 = '11111111-1111-4111-8111-111111111111';
const C2 = '22222222-2222-4222-8222-222222222222';
const meeting = {
  kind: 'strategy-discussion' as const,
  heldAt: '2026-06-03T09:00:00Z',
  attendees: [{ name: 'Priya Shah', agency: 'social-care' as const, role: 'Chair' }],
  cases: [
    {
      caseId: C1,
      decision: 'Section 47 enquiry',
      actions: [{ agency: 'police' as const, action: 'Visit', dueAt: '2026-06-03T16:00:00Z' }],
    },
  ],
};

describe(MeetingService.name, () => {
  const setup = () => {
    const t = newTestService(MeetingService, [
      [BrokerKeys, fakeKeys()],
      [ThresholdService, demoThresholds()],
    ]);
    t.get(CaseService).summary.mockImplementation(
      (c: CaseEntity) => ({ id: c.id, dueAt: c.dueAt?.toISOString() ?? null }) as never,
    );
    return {
      sut: t.sut,
      meetings: t.get(MeetingRepository),
      queries: t.get(QueryRepository),
      directory: t.get(AgencyDirectory),
      outbox: t.get(OutboxService),
      audit: t.get(AuditService),
    };
  };

  it('refuses a meeting that names a case of another partnership', async () => {
    const { sut, meetings } = setup();
    meetings.existingCases.mockResolvedValue([]);
    await expect(sut.record(user(['manager']), meeting)).rejects.toMatchObject({
      code: 'MEETING.CASE_NOT_FOUND',
    });
    expect(meetings.insert).not.toHaveBeenCalled();
  });

  it('keeps an action pending for redelivery when its agency cannot be reached, and never audits names', async () => {
    const { sut, meetings, directory, outbox, audit } = setup();
    meetings.existingCases.mockResolvedValue([C1]);
    directory.keysFor.mockReturnValue({
      encryptionKey: () => Promise.reject(new Error('unreachable')),
    } as never);
    const view = await sut.record(user(['manager']), meeting);
    const stored = meetings.insert.mock.calls[0][0];
    expect(stored.meeting.attendeesSealed).toBe(`sealed:${JSON.stringify(meeting.attendees)}`);
    expect(stored.actions[0]).toMatchObject({
      agency: 'police',
      status: 'pending',
      attempts: 0,
      lastError: 'AGENCY.KEYS_UNAVAILABLE',
    });
    expect(outbox.enqueue).toHaveBeenCalledWith(expect.anything(), []);
    expect(view.cases[0].actions[0].action).toBe('Visit');
    expect(JSON.stringify(audit.record.mock.calls)).not.toContain('Priya');
  });

  it('builds the agenda for a London day: open cases due by its end or red, scoped for a representative', async () => {
    const { sut, meetings } = setup();
    meetings.agenda.mockResolvedValue([
      Object.assign(new CaseEntity(), {
        id: C1,
        dueAt: new Date('2026-06-02T12:00:00Z'),
        rag: 'amber',
      }),
      Object.assign(new CaseEntity(), {
        id: C2,
        dueAt: new Date('2026-06-03T15:00:00Z'),
        rag: 'amber',
      }),
    ]);
    const rep: Principal = {
      sub: 'r',
      roles: ['agency-representative'],
      partnership: 'demo',
      agency: 'police',
    };
    const agenda = await sut.agenda(rep, { date: '2026-06-03' });
    // The day ends at midnight BST, 23:00 UTC.
    expect(meetings.agenda).toHaveBeenCalledWith(
      'demo',
      new Date('2026-06-03T23:00:00Z'),
      'police',
    );
    expect(agenda).toMatchObject({ date: '2026-06-03', workingDay: true });
    expect(agenda.cases.map((c) => c.why)).toEqual(['overdue', 'due']);
  });
});
