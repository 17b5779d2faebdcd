import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DomainError, Clock } from '@mash/common';
import { AGENCIES, type Agency, type Relationship } from '@mash/contracts';
import { decide, minimise, type Decision } from '@mash/policy';
import { AGENCY_UNAVAILABLE, AgencyAvailability } from '../agencies/agency-availability';
import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { isAdult, MemberService, type CaseMember } from '../cases/member.service';
import { ConsentService } from '../consent/consent.service';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerKeys } from '../keys/broker-keys';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { CapacityService } from './capacity.service';
import { AdmissionService } from './admission.service';
import type { CapacityQueueEntity } from './capacity.entity';
import { Transactions } from '../common/transactions';
import { QueryDispatcher, type Dispatch } from './query.dispatcher';
import { QueryAgencyEntity, QueryEntity, type AgencyStatus } from './query.entity';
import { QueryRepository } from './query.repository';
import type { CreateQueryDto } from './query.dto';
import { brokerError } from '../common/errors';

export interface AgencyView {
  agency: string;
  /** The household member this answer is about; absent for the subject (the child referred). */
  memberId?: string;
  relationship?: string;
  decision: 'permit' | 'deny';
  reasons: Array<{ code: string; text: string }>;
  status: AgencyStatus;
  agreement?: { id: string; version: number; hash: string } | null;
  match?: QueryAgencyEntity['match'];
  records?: Record<string, unknown[]>;
  failure?: string;
  respondedAt?: string;
  /** How fresh the agency's source data was when it answered. */
  dataAsOf?: string;
  late?: boolean;
  /** How the agency's representative settled a possible match (the note only with the records). */
  resolution?: { decision: 'confirm' | 'reject'; by: string; at: string; note?: string };
  /** While `queued`: its place in the agency's queue, when it should go, and what it waits for. */
  queue?: {
    position: number;
    expectedReleaseAt: string | null;
    waitingFor: string;
  };
}

export interface QueryView {
  id: string;
  caseId: string;
  purpose: string;
  justification?: string;
  status: string;
  createdAt: string;
  deadlineAt: string;
  agencies: AgencyView[];
}

@Injectable()
export class QueryService {
  private readonly logger = new Logger('Queries');

  constructor(
    private readonly transactions: Transactions,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly cases: CaseRepository,
    private readonly caseService: CaseService,
    private readonly consent: ConsentService,
    private readonly agreements: AgreementRepository,
    private readonly queries: QueryRepository,
    private readonly dispatcher: QueryDispatcher,
    private readonly audit: AuditService,
    private readonly metrics: BrokerMetrics,
    private readonly capacity: CapacityService,
    private readonly clock: Clock,
    private readonly admission: AdmissionService,
    private readonly members: MemberService,
    private readonly availability: AgencyAvailability,
  ) {}

  /**
   * What each agency would share for this purpose on this case, and why, for each person in the
   * household: no request is sent. The subject's entries keep their shape; a member's name them.
   */
  async dryRun(
    user: Principal,
    caseId: string,
    dto: CreateQueryDto,
  ): Promise<Array<Decision & { explanation: string; memberId?: string; relationship?: string }>> {
    const { decisions } = await this.decideAll(user, caseId, dto);
    const { explain } = await import('@mash/policy');
    return decisions.map(({ decision, member }) => ({
      ...decision,
      ...(member.relationship === 'subject'
        ? {}
        : { memberId: member.id, relationship: member.relationship }),
      explanation: explain(decision),
    }));
  }

  private async decideAll(
    user: Principal,
    caseId: string,
    dto: CreateQueryDto,
    now = this.clock.now(),
    /** Called once the case is known to be open, before anything else is read. */
    opened?: (kase: { rag: string }) => void,
  ) {
    const kase = await this.cases.get(user.partnership, caseId);
    if (kase.status !== 'open')
      throw brokerError('CASE.NOT_OPEN', `the case is ${kase.status}; queries need an open case`);
    opened?.(kase);
    let household = await this.members.open(user.partnership, caseId);
    const positions = await this.consent.positions(
      user.partnership,
      caseId,
      household.find((m) => m.relationship === 'subject')?.id,
    );
    const agreements = await this.agreements.forDecision(user.partnership);
    const agencies = dto.agencies ? [...new Set(dto.agencies)] : [...AGENCIES];
    if (dto.memberIds) household = household.filter((m) => dto.memberIds?.includes(m.id));
    // Each agency is asked about each person separately: the agreement's household section says
    // who may be asked about, each person's own consent governs (or the household's, where the
    // agreement says so), and an adult gets only the adult categories.
    const decisions: PersonDecision[] = [];
    for (const agency of agencies)
      for (const member of household) {
        const adult = member.relationship !== 'subject' && isAdult(member.details.dateOfBirth, now);
        // A child's consent is usually decided with the subject's (by the same parent): a child
        // without a decision of their own follows the subject's; an adult speaks for themselves.
        const own = positions.for(member.id, agency);
        const consent =
          own.status === 'none' && !adult ? positions.for(positions.subjectId ?? '', agency) : own;
        decisions.push({
          member,
          consent: consent.status,
          decision: decide({
            request: {
              partnership: user.partnership,
              agency,
              purpose: dto.purpose,
              user: { sub: user.sub, roles: user.roles },
              case: { id: kase.id, level: kase.level, rag: kase.rag, consent },
              now,
              ...(member.relationship === 'subject'
                ? {}
                : {
                    member: {
                      relationship: member.relationship,
                      adult,
                      householdRefusal: positions.refusedByOthers(member.id, agency),
                    },
                  }),
            },
            agreements,
          }),
        });
      }
    return { kase, decisions, consent: positions.subject() };
  }

  /**
   * The decision for one agency as it stands now (case, consent, agreements), for a request that
   * waited in the capacity queue: what was permitted when it was queued may no longer be.
   */
  async redecide(
    requester: { sub: string; role: string; partnership: string },
    caseId: string,
    purpose: CreateQueryDto['purpose'],
    agency: Agency,
    justified: boolean,
    now: Date,
    memberId?: string,
  ): Promise<Decision> {
    const user: Principal = {
      sub: requester.sub,
      roles: [requester.role] as Principal['roles'],
      partnership: requester.partnership,
    };
    const { decisions } = await this.decideAll(user, caseId, { purpose, agencies: [agency] }, now);
    const found =
      decisions.find((d) => d.member.id === memberId) ??
      decisions.find((d) => !memberId && d.member.relationship === 'subject');
    if (!found)
      throw brokerError('QUERY.MEMBER_GONE', 'the person asked about is no longer on the case');
    requireJustification(found.decision, justified, found.consent);
    return found.decision;
  }

  async create(user: Principal, caseId: string, dto: CreateQueryDto): Promise<QueryView> {
    // Refused before any database work when this instance has no place for another creation.
    const done = this.admission.enter();
    try {
      return await this.createAdmitted(user, caseId, dto);
    } finally {
      done();
    }
  }

  private async createAdmitted(
    user: Principal,
    caseId: string,
    dto: CreateQueryDto,
  ): Promise<QueryView> {
    const now = this.clock.now();
    // Far beyond saturation, refused as soon as the case's rating is known (`precheck`).
    const { kase, decisions } = await this.decideAll(user, caseId, dto, now, (k) =>
      this.admission.precheck(k.rag, dto.agencies ?? AGENCIES),
    );
    if (decisions.length === 0)
      throw brokerError('CASE.DATA_DELETED', 'no one on this case can be asked about');
    const permitted = [
      ...new Set(
        decisions.filter((d) => d.decision.decision === 'permit').map((d) => d.decision.agency),
      ),
    ];
    // An agency whose adapter is known down is not asked: its part is settled at once (below).
    const down = await this.availability.knownDown(permitted);
    // Refused at once when the federation could not answer within the deadline (red first).
    await this.admission.admit(
      kase.rag,
      permitted.filter((a) => !down.has(a)),
    );
    const role = primaryRole(user, ['analyst', 'manager']);
    const queryId = randomUUID();
    const deadlineAt = new Date(now.getTime() + this.config.queryTimeoutMs);
    const pseudonymsOf = new Map(
      decisions.map((d) => [
        d.member.id,
        this.audit.pseudonyms(user.partnership, d.member.details),
      ]),
    );
    const pseudonyms = [...new Set([...pseudonymsOf.values()].flat())];

    const parts: QueryAgencyEntity[] = [];
    const dispatches: Dispatch[] = [];
    const queued: CapacityQueueEntity[] = [];
    // A household query is one query to an agency: admitted (or queued) once per agency.
    const admitted = await this.capacity.admit(
      user.partnership,
      permitted.filter((a) => !down.has(a)),
    );
    for (const { decision, member, consent } of decisions) {
      this.metrics.decisions.inc({ agency: decision.agency, decision: decision.decision });
      requireJustification(decision, Boolean(dto.justification), consent);
      const part: QueryAgencyEntity = Object.assign(new QueryAgencyEntity(), {
        queryId,
        agency: decision.agency,
        memberId: member.id,
        partnership: user.partnership,
        decision: decision.decision,
        reasons: decision.reasons.map((r) => ({ code: r.code, text: r.text })),
        agreement: decision.agreement ?? null,
        obligations: decision.decision === 'permit' ? decision.obligations : null,
        status: decision.decision === 'permit' ? 'pending' : 'denied',
        grantId: null,
        requestHash: null,
        deadlineAt,
        dispatchedAt: null,
        match: null,
        recordsSealed: null,
        failureCode: null,
        respondedAt: null,
        dataAsOf: null,
        late: false,
      } as Partial<QueryAgencyEntity>);
      if (decision.decision === 'permit' && down.has(decision.agency)) {
        // Inserted pending and failed in the same transaction, so the change is an event.
        parts.push(part);
        continue;
      }
      if (decision.decision === 'permit' && !admitted.has(decision.agency)) {
        // Beyond the agency's hourly capacity: waits, and is built and signed when released
        // (with the household's other parts for that agency: one queue entry per agency).
        part.status = 'queued';
        if (!queued.some((q) => q.agency === decision.agency))
          queued.push(this.capacity.entry(queryId, kase.id, user.partnership, decision, now));
      } else if (decision.decision === 'permit') {
        try {
          const dispatch = await this.dispatcher.build({
            partnership: user.partnership,
            caseId: kase.id,
            queryId,
            decision,
            subject: member.details,
            memberId: member.id,
            requestedBy: user.sub,
            requestedRole: role,
            deadlineAt,
            now,
            subjectPseudonyms: pseudonymsOf.get(member.id),
          });
          part.grantId = dispatch.grantId;
          part.requestHash = dispatch.requestHash;
          part.dispatchedAt = now;
          dispatches.push(dispatch);
        } catch (error) {
          part.status = 'failed';
          part.failureCode = error instanceof DomainError ? error.code : 'AGENCY.KEYS_UNAVAILABLE';
        }
      }
      parts.push(part);
    }

    const query = Object.assign(new QueryEntity(), {
      id: queryId,
      partnership: user.partnership,
      caseId: kase.id,
      purpose: dto.purpose,
      status: 'pending',
      requestedBy: user.sub,
      requestedRole: role,
      deadlineAt,
      completedAt: null,
      justificationSealed: dto.justification
        ? await this.keys.cipher.seal(dto.justification)
        : null,
    } satisfies Partial<QueryEntity>);

    await this.transactions.run(async (tx) => {
      await this.queries.insert(query, parts, tx);
      await this.queries.failPending(queryId, [...down], AGENCY_UNAVAILABLE, tx);
      for (const part of parts)
        if (part.decision === 'permit' && down.has(part.agency)) {
          part.status = 'failed';
          part.failureCode = AGENCY_UNAVAILABLE;
        }
      // The audit entries commit with the dispatch or not at all (fail closed), written together
      // with the dispatches' own. Each names the case's status as the decision read it (open: the
      // decision requires it), so the log need not read it again.
      await this.dispatcher.commit(tx, dispatches, {
        caseStatus: kase.status,
        entries: [
          {
            partnership: user.partnership,
            actorType: 'user',
            actorId: user.sub,
            actorRole: role,
            action: 'query.requested',
            outcome: 'success',
            caseId: kase.id,
            queryId,
            subjectPseudonyms: pseudonyms,
            details: {
              purpose: dto.purpose,
              agencies: [...new Set(decisions.map((d) => d.decision.agency))],
              members: new Set(decisions.map((d) => d.member.id)).size,
              // The text itself is free text (it may name people): stored encrypted with the query.
              justification: dto.justification ? 'given' : 'none',
            },
          },
          ...decisions.map(({ decision: d, member }) => ({
            partnership: user.partnership,
            actorType: 'service' as const,
            actorId: 'broker',
            action: 'policy.decision',
            outcome: d.decision,
            caseId: kase.id,
            queryId,
            agency: d.agency,
            subjectPseudonyms: pseudonymsOf.get(member.id),
            details: {
              memberId: member.id,
              relationship: member.relationship,
              purpose: dto.purpose,
              reasons: d.reasons.map((r) => r.code),
              agreement: d.agreement ?? null,
              legalGateways: d.legalGateways.map((g) => g.code),
              categories: d.obligations.categories.map((c) => c.name),
              requestedBy: user.sub,
            },
          })),
          ...decisions
            .filter(({ decision: d }) => d.decision === 'permit' && down.has(d.agency))
            .map(({ decision: d, member }) => ({
              partnership: user.partnership,
              actorType: 'service' as const,
              actorId: 'broker',
              action: 'query.agency.unavailable',
              outcome: 'failure' as const,
              caseId: kase.id,
              queryId,
              agency: d.agency,
              subjectPseudonyms: pseudonymsOf.get(member.id),
              details: { memberId: member.id, code: AGENCY_UNAVAILABLE },
            })),
        ],
      });
      await this.capacity.enqueue(tx, queued);
      if (parts.every((p) => p.status !== 'pending')) await this.queries.refreshStatus(queryId, tx);
    });
    this.audit.queryCreated(user.partnership, queryId, kase.id);
    this.dispatcher.sent(dispatches);
    for (const agency of down) this.metrics.agencyUnavailable.inc({ agency });
    // The people asked about, as the decisions read them: every part names one of them.
    const household = new Map(decisions.map(({ member }) => [member.id, member.relationship]));
    return this.view(await this.queries.get(user.partnership, queryId), false, household);
  }

  /** The case's queries, newest first, without their records (read one to see its answers). */
  async forCase(user: Principal, caseId: string): Promise<QueryView[]> {
    await this.cases.get(user.partnership, caseId);
    const queries = await this.queries.listForCase(user.partnership, caseId);
    const views: QueryView[] = [];
    for (const q of queries)
      views.push(await this.view(await this.queries.get(user.partnership, q.id), false));
    return views.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  async read(user: Principal, id: string): Promise<QueryView> {
    const found = await this.queries.get(user.partnership, id);
    const released = found.agencies.filter((a) => a.recordsSealed);
    if (released.length > 0) {
      // Viewing released records is an access: audited first, and not shown if that fails.
      await this.audit.record({
        partnership: user.partnership,
        actorType: 'user',
        actorId: user.sub,
        actorRole: primaryRole(user, ['analyst', 'manager']),
        action: 'query.results.viewed',
        outcome: 'success',
        caseId: found.query.caseId,
        queryId: id,
        details: {
          agencies: released.map((a) => a.agency),
          ...(found.caseStatus ? { caseStatus: found.caseStatus } : {}),
        },
      });
    }
    return this.view(found, true);
  }

  /** Who is on the case, by member id: how a query's view labels each person's parts. */
  async household(partnership: string, caseId: string): Promise<Map<string, Relationship>> {
    return new Map(
      (await this.members.relationships(partnership, caseId)).map((m) => [m.id, m.relationship]),
    );
  }

  async view(
    found: { query: QueryEntity; agencies: QueryAgencyEntity[] },
    withRecords: boolean,
    household?: Map<string, Relationship>,
  ): Promise<QueryView> {
    household ??= await this.household(found.query.partnership, found.query.caseId);
    // The subject's answers first (the shape clients had before households), then each member's.
    const isSubject = (a: QueryAgencyEntity) =>
      (household.get(a.memberId) ?? 'subject') === 'subject';
    const ordered = [
      ...found.agencies.filter(isSubject),
      ...found.agencies.filter((a) => !isSubject(a)),
    ];
    const agencies: AgencyView[] = [];
    for (const a of ordered) {
      const view: AgencyView = {
        agency: a.agency,
        ...(isSubject(a) ? {} : { memberId: a.memberId, relationship: household.get(a.memberId) }),
        decision: a.decision,
        reasons: a.reasons,
        status: a.status,
        agreement: a.agreement,
      };
      if (a.match) view.match = a.match;
      if (a.failureCode) view.failure = a.failureCode;
      if (a.status === 'queued') {
        const place = await this.capacity.placeInQueue(
          found.query.partnership,
          a.agency,
          found.query.id,
        );
        view.queue = {
          position: place?.position ?? 1,
          expectedReleaseAt: place?.expectedReleaseAt ?? null,
          // A queued part carries a failure code only while its agency cannot be reached.
          waitingFor: a.failureCode
            ? `the agency's adapter: its keys could not be fetched (${a.failureCode}); the request keeps its place and is sent when the agency is reachable`
            : "the agency's hourly capacity",
        };
      }
      if (a.respondedAt) view.respondedAt = a.respondedAt.toISOString();
      if (a.dataAsOf) view.dataAsOf = a.dataAsOf.toISOString();
      if (a.late) view.late = true;
      if (a.resolution) {
        const { noteSealed, ...resolution } = a.resolution;
        view.resolution =
          withRecords && noteSealed
            ? { ...resolution, note: await this.keys.cipher.open<string>(noteSealed) }
            : resolution;
      }
      if (withRecords && a.recordsSealed && a.obligations) {
        const records = await this.keys.cipher.open<Record<string, Array<Record<string, unknown>>>>(
          a.recordsSealed,
        );
        view.records = minimise(records, a.obligations);
      }
      agencies.push(view);
    }
    return {
      id: found.query.id,
      caseId: found.query.caseId,
      purpose: found.query.purpose,
      ...(withRecords && found.query.justificationSealed
        ? { justification: await this.keys.cipher.open<string>(found.query.justificationSealed) }
        : {}),
      status: found.query.status,
      createdAt: found.query.createdAt.toISOString(),
      deadlineAt: found.query.deadlineAt.toISOString(),
      agencies,
    };
  }

  /** Marks agencies that missed the query's deadline as timed out. Returns how many. */
  async sweepTimeouts(now = this.clock.now()): Promise<number> {
    return this.transactions.run(async (tx) => {
      const expired = await this.queries.timeOutExpired(now, tx);
      if (expired.length === 0) return 0;
      await this.audit.record(
        expired.map((e) => ({
          partnership: e.partnership,
          actorType: 'service' as const,
          actorId: 'broker',
          action: 'query.agency.timed-out',
          outcome: 'failure' as const,
          queryId: e.queryId,
          agency: e.agency,
        })),
        tx,
      );
      for (const queryId of new Set(expired.map((e) => e.queryId)))
        await this.queries.refreshStatus(queryId, tx);
      for (const e of expired) this.metrics.partsTimedOut.inc({ agency: e.agency });
      return expired.length;
    });
  }
}

/** One person's decision for one agency, with the consent status it relied on. */
interface PersonDecision {
  member: CaseMember;
  decision: Decision;
  consent: string;
}

/** The justification recorded with the consent decision satisfies the agreement; a query may add its own. */
function requireJustification(decision: Decision, justified: boolean, consent: string): void {
  if (
    decision.decision === 'permit' &&
    decision.obligations.justificationRequired &&
    !justified &&
    consent === 'none'
  )
    throw brokerError(
      'QUERY.JUSTIFICATION_REQUIRED',
      `the agreement with ${decision.agency} needs a justification for this purpose`,
    );
}
