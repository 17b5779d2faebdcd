import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@mash/common';
import type { CaseConsent } from '@mash/policy';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { MemberRepository } from '../cases/member.repository';
import { Transactions } from '../common/transactions';
import { BrokerKeys } from '../keys/broker-keys';
import type { ConsentDto } from './consent.dto';
import { ConsentDecisionEntity } from './consent.entity';
import { ConsentRepository } from './consent.repository';
import { brokerError } from '../common/errors';

/**
 * Consent decisions on a case: recorded with a sealed justification, approved by a second person
 * (a manager) when consent was not given, and read by the policy engine as the case's position.
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly consents: ConsentRepository,
    private readonly cases: CaseRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly clock: Clock,
    private readonly members: MemberRepository,
  ) {}

  /** Every consent decision on the case, newest first, with its justification opened. */
  async history(partnership: string, caseId: string): Promise<unknown[]> {
    const rows = await this.consents.history(partnership, caseId);
    return Promise.all(
      rows.map(async (r) => ({
        id: r.id,
        memberId: r.memberId,
        status: r.status,
        reason: r.reason,
        agencies: r.agencies ?? 'all',
        givenBy: r.givenBy,
        understood: r.understood,
        justification: r.justificationSealed
          ? await this.keys.cipher.open<string>(r.justificationSealed)
          : null,
        decidedBy: r.decidedBy,
        decidedRole: r.decidedRole,
        decidedAt: r.decidedAt.toISOString(),
        approvedBy: r.approvedBy,
        approvedAt: r.approvedAt?.toISOString() ?? null,
      })),
    );
  }

  /**
   * Consent overrides waiting for a manager: an analyst's decisions to proceed without consent
   * that still stand for the person they are about. A later decision about the same person
   * replaces an earlier one for the agencies it covers; a decision about someone else in the
   * household replaces nothing.
   */
  async awaitingApproval(user: Principal): Promise<
    Array<{
      id: string;
      caseId: string;
      /** The household member the decision is about (the subject's own id for the subject). */
      memberId: string | null;
      status: string;
      reason: string | null;
      justification: string | null;
      decidedBy: string;
      decidedAt: string;
    }>
  > {
    const rows = await this.consents.awaitingApproval(user.partnership);
    const current = [];
    const household = new Map<string, ConsentPositions>();
    for (const r of rows) {
      if (!household.has(r.caseId))
        household.set(r.caseId, await this.positions(user.partnership, r.caseId));
      const positions = household.get(r.caseId)!;
      if (positions.replaced(r)) continue;
      current.push({
        id: r.id,
        caseId: r.caseId,
        memberId: r.memberId ?? positions.subjectId ?? null,
        status: r.status,
        reason: r.reason,
        justification: r.justificationSealed
          ? await this.keys.cipher.open<string>(r.justificationSealed)
          : null,
        decidedBy: r.decidedBy,
        decidedAt: r.decidedAt.toISOString(),
      });
    }
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: 'manager',
      action: 'consent.approvals.viewed',
      outcome: 'success',
      details: { count: current.length },
    });
    return current;
  }

  /** The subject's consent position for every agency: the latest decision, with its approval. */
  async positionFor(partnership: string, caseId: string): Promise<CaseConsent> {
    return (await this.positions(partnership, caseId)).subject();
  }

  /**
   * Every person's consent position on the case, per agency, as the policy engine reads it.
   * `subjectId`: the subject's member id, where the caller has just read the case's members.
   */
  async positions(
    partnership: string,
    caseId: string,
    subjectId?: string,
  ): Promise<ConsentPositions> {
    subjectId ??= (await this.members.forCase(partnership, caseId)).find(
      (m) => m.relationship === 'subject',
    )?.id;
    return new ConsentPositions(await this.consents.decisions(partnership, caseId), subjectId);
  }

  async record(user: Principal, caseId: string, dto: ConsentDto): Promise<unknown> {
    // A refusal without a reason is respected; with one it is an override (lawful reason, and a
    // manager's approval where the agreement asks). Not seeking consent always needs a reason.
    if (dto.status === 'not-sought' && !dto.reason) {
      throw brokerError('CONSENT.REASON_REQUIRED', 'proceeding without consent needs a reason');
    }
    const role = primaryRole(user, ['manager', 'analyst']);
    const member = dto.memberId
      ? await this.members.get(user.partnership, caseId, dto.memberId)
      : (await this.members.forCase(user.partnership, caseId)).find(
          (m) => m.relationship === 'subject',
        );
    const row = Object.assign(new ConsentDecisionEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      caseId,
      status: dto.status,
      memberId: member?.id ?? null,
      agencies: dto.agencies ? [...new Set(dto.agencies)].sort() : null,
      givenBy: dto.givenBy ?? null,
      understood: dto.understood ?? null,
      reason: dto.reason ?? null,
      justificationSealed: await this.keys.cipher.seal(dto.justification),
      decidedBy: user.sub,
      decidedRole: role,
      decidedAt: this.clock.now(),
      approvedBy: null,
      approvedAt: null,
    });
    await this.transactions.run(async (tx) => {
      await this.cases.get(user.partnership, caseId, tx, true);
      await this.consents.insert(row, tx);
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: role,
          action: 'consent.recorded',
          outcome: 'success',
          caseId,
          details: {
            decisionId: row.id,
            status: dto.status,
            reason: dto.reason ?? null,
            memberId: row.memberId,
            relationship: member?.relationship ?? 'subject',
            agencies: row.agencies ?? 'all',
            givenBy: row.givenBy,
            understood: row.understood,
          },
        },
        tx,
      );
    });
    return {
      id: row.id,
      caseId,
      memberId: row.memberId,
      agencies: row.agencies ?? 'all',
      givenBy: row.givenBy,
      understood: row.understood,
      status: row.status,
      reason: row.reason,
      decidedBy: row.decidedBy,
      decidedRole: role,
      decidedAt: row.decidedAt.toISOString(),
      // Without consent, an analyst's decision waits for a manager where an agreement requires it.
      approval:
        dto.status === 'given'
          ? 'not-needed'
          : role === 'manager'
            ? 'approved'
            : 'pending-manager-approval',
    };
  }

  async approve(user: Principal, caseId: string, decisionId: string): Promise<unknown> {
    return this.transactions.run(async (tx) => {
      await this.cases.get(user.partnership, caseId, tx, true);
      const row = await this.consents.find(user.partnership, caseId, decisionId, tx);
      if (!row) throw brokerError('CONSENT.NOT_FOUND', 'consent decision not found');
      if (row.decidedBy === user.sub)
        throw brokerError('CONSENT.SELF_APPROVAL', 'a manager cannot approve their own decision');
      const approvedAt = this.clock.now();
      await this.consents.approve(row.id, user.sub, approvedAt, tx);
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: 'manager',
          action: 'consent.approved',
          outcome: 'success',
          caseId,
          details: { decisionId },
        },
        tx,
      );
      return { id: row.id, approvedBy: user.sub, approvedAt: approvedAt.toISOString() };
    });
  }
}

function positionOf(d: ConsentDecisionEntity): CaseConsent {
  return {
    status: d.status,
    reason: d.reason ?? undefined,
    managerApproved: d.approvedBy !== null || d.decidedRole === 'manager',
  };
}

/**
 * The consent decisions on a case read per person and agency: a person's position for an agency
 * is their latest decision that covers it (a decision without agencies covers all). Decisions
 * recorded before households (no member) are the subject's.
 */
export class ConsentPositions {
  /** Newest first. */
  constructor(
    private readonly decisions: ConsentDecisionEntity[],
    readonly subjectId: string | undefined,
  ) {}

  private whose(d: ConsentDecisionEntity): string | undefined {
    return d.memberId ?? this.subjectId;
  }

  private latest(memberId: string, agency: string): ConsentDecisionEntity | undefined {
    return this.decisions.find(
      (d) => this.whose(d) === memberId && (d.agencies === null || d.agencies.includes(agency)),
    );
  }

  /** The subject's latest decision, whichever agencies it covers. */
  subject(): CaseConsent {
    return this.subjectId ? this.person(this.subjectId) : { status: 'none' };
  }

  /**
   * Whether later decisions about the same person cover every agency `earlier` covered, so
   * that it no longer stands for any of them.
   */
  replaced(earlier: ConsentDecisionEntity): boolean {
    const whose = this.whose(earlier);
    const at = this.decisions.findIndex((d) => d.id === earlier.id);
    // Newest first: what precedes it in the list came later.
    const later = this.decisions.slice(0, Math.max(at, 0)).filter((d) => this.whose(d) === whose);
    if (later.some((d) => d.agencies === null)) return true;
    if (earlier.agencies === null) return false;
    const covered = new Set(later.flatMap((d) => d.agencies ?? []));
    return earlier.agencies.every((a) => covered.has(a));
  }

  /** A person's latest decision, whichever agencies it covers. */
  person(memberId: string): CaseConsent {
    const d = this.decisions.find((x) => this.whose(x) === memberId);
    return d ? positionOf(d) : { status: 'none' };
  }

  /** The position the policy engine sees for this person and agency. */
  for(memberId: string, agency: string): CaseConsent {
    const d = this.latest(memberId, agency);
    return d ? positionOf(d) : { status: 'none' };
  }

  /**
   * Whether anyone else in the household refused consent covering this agency, and the refusal
   * stands (not overridden with a reason and a manager's approval): what an agreement whose
   * consent scope is the household's denies on.
   */
  refusedByOthers(memberId: string, agency: string): boolean {
    const people = new Set(this.decisions.map((d) => this.whose(d)));
    for (const other of people) {
      if (!other || other === memberId) continue;
      const d = this.latest(other, agency);
      if (d?.status === 'refused' && !(d.reason && positionOf(d).managerApproved)) return true;
    }
    return false;
  }
}
