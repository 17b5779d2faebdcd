import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@mash/common';
import type { SubjectCriteria } from '@mash/contracts';
import {
  assessOrThrow,
  describeTimeLeft,
  dueAt,
  isOverdue,
  timeLeft,
  triage,
  type ThresholdMatrix,
} from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { isRepresentative, primaryRole, type Principal } from '../auth/principal';
import { BrokerKeys } from '../keys/broker-keys';
import { ThresholdService } from '../thresholds/threshold.service';
import { CaseEntity } from './case.entity';
import { CaseRepository } from './case.repository';
import { CaseRatingChangeEntity } from './rating.entity';
import { RatingRepository } from './rating.repository';
import { MemberRepository } from './member.repository';
import { MemberService } from './member.service';
import { Transactions } from '../common/transactions';
import type { CaseListQuery, ReferralDto, RerateDto } from './case.dto';
import { brokerError } from '../common/errors';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RatingChangeView {
  from: string;
  to: string;
  fromDueAt: string | null;
  toDueAt: string | null;
  rationale: string | null;
  changedBy: string;
  changedRole: string;
  changedAt: string;
}

export interface CaseSummary {
  id: string;
  status: string;
  level: number;
  rag: string;
  concerns: string[];
  referrerAgency: string;
  receivedAt: string;
  dueAt: string | null;
  timeLeftMs: number | null;
  timeLeft: string | null;
  overdue: boolean;
  signpostReason?: string;
}

@Injectable()
export class CaseService {
  constructor(
    private readonly transactions: Transactions,
    private readonly cases: CaseRepository,
    private readonly ratings: RatingRepository,
    private readonly thresholds: ThresholdService,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly clock: Clock,
    private readonly members: MemberRepository,
    private readonly memberService: MemberService,
  ) {}

  /**
   * Opens a case from a referral. The subject is the case's first member (`relationship:
   * 'subject'`); the household members named in the referral are added with it, each audited.
   */
  async openFromReferral(
    user: Principal,
    dto: ReferralDto,
    now = this.clock.now(),
  ): Promise<CaseSummary & { members: Array<{ id: string; relationship: string }> }> {
    const receivedAt = dto.receivedAt ? new Date(dto.receivedAt) : now;
    // Rated against the version in force when the referral reached the hub; the case keeps it.
    const matrix = await this.thresholds.matrixAt(user.partnership, receivedAt);
    const assessment = assessOrThrow(matrix, dto.concerns);
    const decision = triage(assessment);
    const pseudonyms = this.audit.pseudonyms(user.partnership, dto.subject);
    const signposted = decision.action === 'signpost';
    const subjectSealed = await this.keys.cipher.seal(dto.subject);
    const entity = Object.assign(new CaseEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      status: decision.action === 'signpost' ? 'signposted' : 'open',
      subjectSealed,
      narrativeSealed: dto.narrative ? await this.keys.cipher.seal(dto.narrative) : null,
      referrerAgency: dto.referrer.agency,
      referrerNameSealed: dto.referrer.name ? await this.keys.cipher.seal(dto.referrer.name) : null,
      concerns: [...new Set(dto.concerns)],
      level: assessment.level,
      rag: assessment.rag,
      thresholdVersion: matrix.version,
      receivedAt,
      dueAt: decision.action === 'signpost' ? null : dueAt(matrix, assessment.rag, receivedAt),
      signpostReason: decision.action === 'signpost' ? decision.reason : null,
      createdBy: user.sub,
      // The name and date-of-birth token is always present (the last of the tokens), so re-referrals are counted on it.
      subjectPseudonym: pseudonyms[pseudonyms.length - 1] ?? null,
      closedAt: null,
      deadlineNotifiedAt: null,
      // A signposted referral is not taken in: what it holds is kept only for the retention period.
      retainUntil: signposted
        ? new Date(now.getTime() + matrix.retentionDaysAfterClose * DAY_MS)
        : null,
      purgedAt: null,
      sharedCategories: null,
    } satisfies Partial<CaseEntity>);
    const subjectMember = await this.memberService.build(
      user,
      entity.id,
      'subject',
      dto.subject,
      now,
      subjectSealed,
    );
    const household = await Promise.all(
      (dto.members ?? []).map(async ({ relationship, ...details }, i) => ({
        // A millisecond apart, so the case lists its members in the referral's order.
        member: await this.memberService.build(
          user,
          entity.id,
          relationship,
          details,
          new Date(now.getTime() + i + 1),
        ),
        details,
      })),
    );
    await this.transactions.run(async (tx) => {
      await this.cases.insert(entity, tx);
      await this.members.insert([subjectMember, ...household.map((h) => h.member)], tx);
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: primaryRole(user, ['analyst', 'manager']),
          action: decision.action === 'signpost' ? 'case.signposted' : 'case.opened',
          outcome: 'success',
          caseId: entity.id,
          subjectPseudonyms: pseudonyms,
          details: {
            level: entity.level,
            rag: entity.rag,
            concerns: entity.concerns,
            referrerAgency: entity.referrerAgency,
            thresholdVersion: matrix.version,
            members: household.length,
          },
        },
        tx,
      );
      for (const h of household)
        await this.memberService.recordAdded(user, h.member, h.details, tx);
    });
    return {
      ...this.summary(entity, now),
      members: [subjectMember, ...household.map((h) => h.member)].map((m) => ({
        id: m.id,
        relationship: m.relationship,
      })),
    };
  }

  /**
   * What a referral with these concerns would be given if it arrived now (level, RAG, deadline),
   * without opening anything: the referral form shows it before the analyst commits.
   */
  assess(
    partnership: string,
    concerns: string[],
    now = this.clock.now(),
  ): {
    level: number;
    rag: string;
    signpost: boolean;
    dueAt: string | null;
    timeLeft: string | null;
  } {
    const matrix = this.thresholds.matrixFor(partnership, now);
    const assessment = assessOrThrow(matrix, concerns);
    if (triage(assessment).action === 'signpost')
      return {
        level: assessment.level,
        rag: assessment.rag,
        signpost: true,
        dueAt: null,
        timeLeft: null,
      };
    const due = dueAt(matrix, assessment.rag, now);
    return {
      level: assessment.level,
      rag: assessment.rag,
      signpost: false,
      dueAt: due.toISOString(),
      timeLeft: describeTimeLeft(timeLeft(due, now)),
    };
  }

  summary(c: CaseEntity, now = this.clock.now()): CaseSummary {
    const left = c.dueAt && c.status === 'open' ? timeLeft(c.dueAt, now) : null;
    return {
      id: c.id,
      status: c.status,
      level: c.level,
      rag: c.rag,
      concerns: c.concerns,
      referrerAgency: c.referrerAgency,
      receivedAt: c.receivedAt.toISOString(),
      dueAt: c.dueAt ? c.dueAt.toISOString() : null,
      timeLeftMs: left,
      timeLeft: left === null ? null : describeTimeLeft(left),
      overdue: c.status === 'open' && c.dueAt !== null && isOverdue(c.dueAt, now),
      ...(c.signpostReason ? { signpostReason: c.signpostReason } : {}),
    };
  }

  async list(
    user: Principal,
    filter: CaseListQuery,
  ): Promise<{ items: CaseSummary[]; total: number }> {
    const now = this.clock.now();
    const { items, total } = await this.cases.list(
      user.partnership,
      filter,
      now,
      isRepresentative(user) ? user.agency : undefined,
    );
    return { items: items.map((c) => this.summary(c, now)), total };
  }

  async subjectOf(c: CaseEntity): Promise<SubjectCriteria> {
    if (!c.subjectSealed)
      throw brokerError(
        'CASE.DATA_DELETED',
        'the personal data of this case has been deleted after its retention period',
      );
    return this.keys.cipher.open<SubjectCriteria>(c.subjectSealed);
  }

  /**
   * Changes the case's RAG rating, with a rationale kept in its history, and recomputes the
   * deadline from when the referral was received. A new deadline gets its own near-deadline warning.
   */
  async rerate(
    user: Principal,
    caseId: string,
    dto: RerateDto,
    now = this.clock.now(),
  ): Promise<CaseSummary & { ratingHistory: RatingChangeView[] }> {
    const role = primaryRole(user, ['manager', 'analyst']);
    const rationaleSealed = await this.keys.cipher.seal(dto.rationale);
    const updated = await this.transactions.run(async (tx) => {
      const c = await this.cases.get(user.partnership, caseId, tx, true);
      if (c.status !== 'open')
        throw brokerError(
          'CASE.NOT_OPEN',
          `the case is ${c.status}; only an open case can be re-rated`,
        );
      if (c.rag === dto.rag)
        throw brokerError('CASE.RATING_UNCHANGED', `the case is already rated ${dto.rag}`);
      // The deadline of the new RAG under the version the case was first rated by.
      const matrix = await this.thresholds.matrixVersion(user.partnership, c.thresholdVersion);
      const newDue = dueAt(matrix, dto.rag, c.receivedAt);
      const change = Object.assign(new CaseRatingChangeEntity(), {
        id: randomUUID(),
        partnership: user.partnership,
        caseId,
        fromRag: c.rag,
        toRag: dto.rag,
        fromDueAt: c.dueAt,
        toDueAt: newDue,
        rationaleSealed,
        changedBy: user.sub,
        changedRole: role,
        changedAt: now,
      } satisfies Partial<CaseRatingChangeEntity>);
      await this.ratings.insert(change, tx);
      const dueChanged = c.dueAt?.getTime() !== newDue.getTime();
      const patch: Partial<CaseEntity> = {
        rag: dto.rag,
        dueAt: newDue,
        ...(dueChanged ? { deadlineNotifiedAt: null } : {}),
      };
      await this.cases.update(user.partnership, caseId, patch, tx);
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: role,
          action: 'case.rerated',
          outcome: 'success',
          caseId,
          details: {
            from: c.rag,
            to: dto.rag,
            fromDueAt: c.dueAt?.toISOString() ?? null,
            toDueAt: newDue.toISOString(),
            thresholdVersion: matrix.version,
          },
        },
        tx,
      );
      return Object.assign(c, patch);
    });
    return {
      ...this.summary(updated, now),
      ratingHistory: await this.ratingHistory(user.partnership, caseId),
    };
  }

  async ratingHistory(partnership: string, caseId: string): Promise<RatingChangeView[]> {
    const rows = await this.ratings.history(partnership, caseId);
    return Promise.all(
      rows.map(async (r) => ({
        from: r.fromRag,
        to: r.toRag,
        fromDueAt: r.fromDueAt?.toISOString() ?? null,
        toDueAt: r.toDueAt?.toISOString() ?? null,
        rationale: r.rationaleSealed
          ? await this.keys.cipher.open<string>(r.rationaleSealed)
          : null,
        changedBy: r.changedBy,
        changedRole: r.changedRole,
        changedAt: r.changedAt.toISOString(),
      })),
    );
  }

  matrix(partnership: string, at: Date): ThresholdMatrix {
    return this.thresholds.matrixFor(partnership, at);
  }
}
