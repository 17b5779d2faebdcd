import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '@mash/common';
import {
  Topics,
  kafkaRecord,
  type Agency,
  type CaseActionBodyV1,
  type CaseActionV1,
} from '@mash/contracts';
import {
  addDays,
  formatLocalDate,
  fromLocal,
  isWorkingDay,
  toLocal,
  type LocalDate,
} from '@mash/thresholds';
import { sealSigned } from '@mash/trust';
import { AuditService } from '../audit/audit.service';
import { isRepresentative, primaryRole, type Principal } from '../auth/principal';
import { CaseService, type CaseSummary } from '../cases/case.service';
import { ThresholdService } from '../thresholds/threshold.service';
import { brokerError } from '../common/errors';
import { firstAttempt, redeliveryPass, RetrySchedule } from '../common/backoff';
import { Transactions } from '../common/transactions';
import type { KafkaRecord } from '../kafka/kafka.producer';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerKeys } from '../keys/broker-keys';
import { OutboxService } from '../outbox/outbox.service';
import { QueryRepository } from '../queries/query.repository';
import type { AgendaQuery, MeetingDto } from './meeting.dto';
import {
  MeetingActionEntity,
  MeetingCaseEntity,
  MeetingEntity,
  type MeetingKind,
} from './meeting.entity';
import { MeetingRepository, type StoredMeeting } from './meeting.repository';

type Attendee = MeetingDto['attendees'][number];

export interface MeetingView {
  id: string;
  kind: MeetingKind;
  heldAt: string;
  attendees: Attendee[];
  cases: Array<{
    caseId: string;
    decision: string | null;
    actions: Array<{
      id: string;
      agency: string;
      action: string | null;
      dueAt: string;
      delivery: { status: string; attempts: number; deliveredAt: string | null };
    }>;
  }>;
  recordedBy: string;
  recordedAt: string;
}

export interface AgendaView {
  date: string;
  timeZone: string;
  workingDay: boolean;
  cases: Array<CaseSummary & { why: 'overdue' | 'due' | 'red' }>;
}

/**
 * The daily MASH meeting and strategy discussions: the day's agenda, and the record of each
 * meeting (attendees, per case the decision and the actions). Each action is fed back to its
 * owning agency through the outbox exactly as outcomes are: signed and encrypted to the agency,
 * pending until the agency acknowledges it, sent again with back-off until then.
 */
@Injectable()
export class MeetingService {
  private readonly logger = new Logger('Meetings');
  readonly retries = new RetrySchedule();

  constructor(
    private readonly transactions: Transactions,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly meetings: MeetingRepository,
    private readonly queries: QueryRepository,
    private readonly caseService: CaseService,
    private readonly thresholds: ThresholdService,
    private readonly directory: AgencyDirectory,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async record(user: Principal, dto: MeetingDto): Promise<MeetingView> {
    const role = primaryRole(user, ['manager', 'analyst']);
    const now = this.clock.now();
    const caseIds = dto.cases.map((c) => c.caseId);
    if (new Set(caseIds).size !== caseIds.length)
      throw brokerError('MEETING.DUPLICATE_CASE', 'a case appears more than once in the meeting');
    const existing = new Set(await this.meetings.existingCases(user.partnership, caseIds));
    const missing = caseIds.findIndex((id) => !existing.has(id));
    if (missing >= 0)
      throw brokerError(
        'MEETING.CASE_NOT_FOUND',
        `cases[${missing}] names no case of this partnership`,
      );

    const meeting = Object.assign(new MeetingEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      kind: dto.kind,
      heldAt: new Date(dto.heldAt),
      attendeesSealed: await this.keys.cipher.seal(dto.attendees),
      agencies: [...new Set(dto.attendees.map((a) => a.agency))].sort(),
      recordedBy: user.sub,
      recordedRole: role,
      recordedAt: now,
    } satisfies MeetingEntity);
    const cases: MeetingCaseEntity[] = [];
    const actions: MeetingActionEntity[] = [];
    const texts = new Map<string, string>();
    for (const c of dto.cases) {
      cases.push(
        Object.assign(new MeetingCaseEntity(), {
          meetingId: meeting.id,
          caseId: c.caseId,
          partnership: user.partnership,
          decisionSealed: await this.keys.cipher.seal(c.decision),
        } satisfies MeetingCaseEntity),
      );
      for (const a of c.actions) {
        const action = Object.assign(new MeetingActionEntity(), {
          id: randomUUID(),
          meetingId: meeting.id,
          caseId: c.caseId,
          partnership: user.partnership,
          agency: a.agency,
          actionSealed: await this.keys.cipher.seal(a.action),
          dueAt: new Date(a.dueAt),
          status: 'pending',
          attempts: 0,
          lastSentAt: null,
          nextAttemptAt: now,
          lastError: null,
          deliveredAt: null,
        } satisfies MeetingActionEntity);
        texts.set(action.id, a.action);
        actions.push(action);
      }
    }
    // Encrypt to each agency before the transaction (fetching keys is network I/O); an agency
    // whose keys cannot be fetched now gets a pending delivery that the redelivery job sends.
    const messages: KafkaRecord[] = [];
    for (const action of actions) {
      const message = await firstAttempt(
        action,
        now,
        (n) => this.retries.delay(n),
        () => this.message(meeting, action, texts.get(action.id)!),
      );
      if (message) messages.push(message);
    }
    await this.transactions.run(async (tx) => {
      await this.meetings.insert({ meeting, cases, actions }, tx);
      await this.audit.record(
        [
          {
            partnership: user.partnership,
            actorType: 'user',
            actorId: user.sub,
            actorRole: role,
            action: 'meeting.recorded',
            outcome: 'success',
            details: {
              meetingId: meeting.id,
              kind: meeting.kind,
              heldAt: meeting.heldAt.toISOString(),
              attendees: dto.attendees.length,
              agencies: meeting.agencies,
              cases: cases.length,
            },
          },
          ...cases.map((c) => ({
            partnership: user.partnership,
            actorType: 'user' as const,
            actorId: user.sub,
            actorRole: role,
            action: 'case.meeting.decided',
            outcome: 'success' as const,
            caseId: c.caseId,
            details: {
              meetingId: meeting.id,
              kind: meeting.kind,
              actions: actions
                .filter((a) => a.caseId === c.caseId)
                .map((a) => ({ actionId: a.id, agency: a.agency, dueAt: a.dueAt.toISOString() })),
            },
          })),
        ],
        tx,
      );
      await this.outbox.enqueue(tx, messages);
    });
    this.outbox.kick();
    return this.view({ meeting, cases, actions }, dto.attendees, (c) => c.decisionSealed, texts);
  }

  /**
   * A meeting as its reader may see it. A representative sees the meeting's attendees and only the
   * cases their agency was asked about; analysts and managers see every case.
   */
  async read(user: Principal, id: string): Promise<MeetingView> {
    const stored = await this.meetings.get(user.partnership, id);
    let visible = stored;
    if (isRepresentative(user)) {
      const asked = new Set<string>();
      for (const c of stored.cases)
        if ((await this.queries.askedPurposes(user.partnership, c.caseId, user.agency)).length)
          asked.add(c.caseId);
      visible = {
        meeting: stored.meeting,
        cases: stored.cases.filter((c) => asked.has(c.caseId)),
        actions: stored.actions.filter((a) => asked.has(a.caseId)),
      };
    }
    await this.audit.record([
      {
        partnership: user.partnership,
        actorType: 'user',
        actorId: user.sub,
        actorRole: primaryRole(user, ['analyst', 'manager', 'agency-representative']),
        action: 'meeting.viewed',
        outcome: 'success',
        ...(user.agency ? { agency: user.agency } : {}),
        details: { meetingId: id, cases: visible.cases.map((c) => c.caseId) },
      },
    ]);
    const attendees = await this.keys.cipher.open<Attendee[]>(stored.meeting.attendeesSealed);
    return this.view(visible, attendees, (c) => c.decisionSealed);
  }

  /**
   * The cases for the daily meeting on a London day (the partnership's working-hours time zone):
   * open cases due by the end of that day (overdue ones first) or rated red, in due order. A
   * representative's agenda holds only the cases their agency was asked about.
   */
  async agenda(user: Principal, query: AgendaQuery): Promise<AgendaView> {
    const now = this.clock.now();
    const { workingHours } = this.thresholds.matrixFor(user.partnership, now);
    const tz = workingHours.timeZone;
    const day: LocalDate = query.date
      ? {
          year: Number(query.date.slice(0, 4)),
          month: Number(query.date.slice(5, 7)),
          day: Number(query.date.slice(8, 10)),
        }
      : toLocal(now, tz);
    const start = fromLocal(day, 0, 0, tz);
    const end = fromLocal(addDays(day, 1), 0, 0, tz);
    const rows = await this.meetings.agenda(
      user.partnership,
      end,
      isRepresentative(user) ? user.agency : undefined,
    );
    const cases = rows.map((c) => ({
      ...this.caseService.summary(c, now),
      why:
        c.dueAt && c.dueAt < start
          ? ('overdue' as const)
          : c.dueAt && c.dueAt < end
            ? ('due' as const)
            : ('red' as const),
    }));
    const date = formatLocalDate(day);
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['analyst', 'manager', 'agency-representative']),
      action: 'meeting.agenda.viewed',
      outcome: 'success',
      ...(user.agency ? { agency: user.agency } : {}),
      details: { date, cases: cases.length },
    });
    return { date, timeZone: tz, workingDay: isWorkingDay(day, workingHours), cases };
  }

  /** Puts every unacknowledged action whose retry is due back in the outbox. Returns how many. */
  async redeliver(now = this.clock.now(), limit = 50): Promise<number> {
    const sent = await this.transactions.run(async (tx) => {
      const due = await this.meetings.due(now, limit, tx);
      const messages = await redeliveryPass(due, now, (n) => this.retries.delay(n), {
        load: async (a) => {
          const meeting = await this.meetings.kindOf(a.meetingId, tx);
          // An action whose words were deleted with the case's data has nothing left to send.
          return meeting && a.actionSealed ? { meeting, sealed: a.actionSealed } : undefined;
        },
        message: async (a, { meeting, sealed }) =>
          this.message(meeting, a, await this.keys.cipher.open<string>(sealed)),
        update: (a, patch) => this.meetings.updateAction(a.id, patch, tx),
      });
      await this.outbox.enqueue(tx, messages);
      return messages.length;
    });
    if (sent > 0) {
      this.logger.log(`re-sent ${sent} unacknowledged action(s)`);
      this.outbox.kick();
    }
    return sent;
  }

  private async message(
    meeting: MeetingEntity,
    action: MeetingActionEntity,
    text: string,
  ): Promise<KafkaRecord> {
    const agency = action.agency as Agency;
    const body: CaseActionBodyV1 = {
      actionId: action.id,
      meetingId: meeting.id,
      caseId: action.caseId,
      partnership: action.partnership,
      agency,
      meetingKind: meeting.kind,
      action: text,
      dueAt: action.dueAt.toISOString(),
      decidedAt: meeting.heldAt.toISOString(),
    };
    const key = await this.directory.keysFor(action.partnership, agency).encryptionKey();
    const message: CaseActionV1 = {
      type: 'case.action',
      version: 1,
      messageId: randomUUID(),
      actionId: action.id,
      meetingId: meeting.id,
      caseId: action.caseId,
      partnership: action.partnership,
      agency,
      // Signed, so nobody else who can write the topic can put an action on the agency's list.
      body: await sealSigned(body, this.keys.broker.signing, key),
      decidedAt: meeting.heldAt.toISOString(),
    };
    return kafkaRecord(Topics.caseAction(agency), action.caseId, message, {
      correlationId: action.id,
    });
  }

  private async view(
    stored: StoredMeeting,
    attendees: Attendee[],
    decisionOf: (c: MeetingCaseEntity) => string | null,
    texts?: Map<string, string>,
  ): Promise<MeetingView> {
    const open = async (sealed: string | null) =>
      sealed ? await this.keys.cipher.open<string>(sealed) : null;
    return {
      id: stored.meeting.id,
      kind: stored.meeting.kind,
      heldAt: stored.meeting.heldAt.toISOString(),
      attendees,
      cases: await Promise.all(
        stored.cases.map(async (c) => ({
          caseId: c.caseId,
          decision: await open(decisionOf(c)),
          actions: await Promise.all(
            stored.actions
              .filter((a) => a.caseId === c.caseId)
              .map(async (a) => ({
                id: a.id,
                agency: a.agency,
                action: texts?.get(a.id) ?? (await open(a.actionSealed)),
                dueAt: a.dueAt.toISOString(),
                delivery: {
                  status: a.status,
                  attempts: a.attempts,
                  deliveredAt: a.deliveredAt?.toISOString() ?? null,
                },
              })),
          ),
        })),
      ),
      recordedBy: stored.meeting.recordedBy,
      recordedAt: stored.meeting.recordedAt.toISOString(),
    };
  }
}
