import { isAdult } from '../cases/member.service';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, NotFoundError } from '@mash/common';
import {
  PURPOSES,
  type MemberRelationship,
  type Purpose,
  type SubjectCriteria,
} from '@mash/contracts';
import { decideContribution, type Decision } from '@mash/policy';
import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import {
  isRepresentative,
  primaryRole,
  type Principal,
  type Representative,
} from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import type { CaseEntity } from '../cases/case.entity';
import { MemberRepository } from '../cases/member.repository';
import { brokerError } from '../common/errors';
import { Transactions } from '../common/transactions';
import { ConsentService } from '../consent/consent.service';
import { BrokerKeys } from '../keys/broker-keys';
import { QueryRepository } from '../queries/query.repository';
import type { ContributionDto } from './contribution.dto';
import { ContributionEntity } from './contribution.entity';
import { ContributionRepository } from './contribution.repository';

export interface ContributionView {
  id: string;
  caseId: string;
  agency: string;
  kind: string;
  /** Null once the case's data has been deleted after its retention period. */
  text: string | null;
  memberId: string | null;
  confidence: string | null;
  purpose: string;
  basis: {
    agreement: { id: string; version: number; hash: string };
    legalGateways: Array<{ code: string; label: string }>;
  };
  contributedBy: string;
  contributedAt: string;
}

/**
 * Contributions by agencies' representatives: a representative adds their own agency's
 * professional judgement, soft intelligence or history about the child or a member of the
 * household, for a case their agency was asked about. Each is decided as a query would be for
 * that agency, purpose and person (`decideContribution`): refused when no agreement in force lets
 * the agency share it. Written and read under audit; the words are sealed at rest.
 */
@Injectable()
export class ContributionService {
  constructor(
    private readonly transactions: Transactions,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly cases: CaseRepository,
    private readonly queries: QueryRepository,
    private readonly consent: ConsentService,
    private readonly agreements: AgreementRepository,
    private readonly contributions: ContributionRepository,
    private readonly members: MemberRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  /**
   * The case as a representative may reach it: in their partnership, and their agency was asked
   * about it. Anything else is indistinguishable from a missing case (404). Returns the purposes
   * their agency was asked for, most recent first.
   */
  async reachable(
    user: Representative,
    caseId: string,
  ): Promise<{ kase: CaseEntity; purposes: Purpose[] }> {
    const kase = await this.cases.get(user.partnership, caseId);
    const purposes = (
      await this.queries.askedPurposes(user.partnership, caseId, user.agency)
    ).filter((p): p is Purpose => (PURPOSES as readonly string[]).includes(p));
    if (purposes.length === 0) throw new NotFoundError('case');
    return { kase, purposes };
  }

  async record(user: Principal, caseId: string, dto: ContributionDto): Promise<ContributionView> {
    if (!isRepresentative(user))
      throw brokerError('AUTH.FORBIDDEN', 'only an agency representative may contribute');
    const now = this.clock.now();
    const { kase, purposes } = await this.reachable(user, caseId);
    if (kase.status !== 'open')
      throw brokerError(
        'CASE.NOT_OPEN',
        `the case is ${kase.status}; contributions need an open case`,
      );
    const member = await this.member(user.partnership, caseId, dto.memberId, now);
    const consent = await this.consent.positionFor(user.partnership, caseId);
    const agreements = await this.agreements.forDecision(user.partnership);
    // The most recent purpose the agency was asked for whose agreement lets it share wins.
    let decision: Decision | undefined;
    for (const purpose of purposes) {
      const d = decideContribution({
        request: {
          partnership: user.partnership,
          agency: user.agency,
          purpose,
          user: { sub: user.sub, roles: user.roles },
          case: { id: kase.id, level: kase.level, rag: kase.rag, consent },
          now,
          ...(member ? { member } : {}),
        },
        agreements,
        representativeOf: user.agency,
      });
      decision ??= d;
      if (d.decision === 'permit') {
        decision = d;
        break;
      }
    }
    if (!decision || decision.decision !== 'permit' || !decision.agreement) {
      const reasons = decision?.reasons.map((r) => r.code) ?? [];
      await this.audit.record({
        partnership: user.partnership,
        actorType: 'user',
        actorId: user.sub,
        actorRole: 'agency-representative',
        action: 'case.contribution.refused',
        outcome: 'deny',
        caseId,
        agency: user.agency,
        details: {
          kind: dto.kind,
          member: dto.memberId ?? null,
          purpose: decision?.purpose ?? null,
          reasons,
        },
      });
      throw brokerError(
        'CONTRIBUTION.NOT_PERMITTED',
        `no agreement in force lets ${user.agency} share this for the case: ${decision?.reasons.map((r) => r.text).join(' ') ?? ''}`.trim(),
        { reasons: decision?.reasons ?? [] },
      );
    }
    const row = Object.assign(new ContributionEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      caseId,
      memberId: dto.memberId ?? null,
      agency: user.agency,
      kind: dto.kind,
      textSealed: await this.keys.cipher.seal(dto.text),
      confidence: dto.confidence ?? null,
      purpose: decision.purpose,
      agreement: decision.agreement,
      legalGateways: decision.legalGateways,
      contributedBy: user.sub,
      contributedAt: now,
    } satisfies Partial<ContributionEntity>);
    await this.transactions.run(async (tx) => {
      await this.contributions.insert(row, tx);
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: 'agency-representative',
          action: 'case.contribution.recorded',
          outcome: 'success',
          caseId,
          agency: user.agency,
          details: {
            contributionId: row.id,
            kind: row.kind,
            member: row.memberId,
            purpose: row.purpose,
            agreement: row.agreement,
            legalGateways: row.legalGateways.map((g) => g.code),
          },
        },
        tx,
      );
    });
    return this.view(row, dto.text);
  }

  /** Analysts and managers read every agency's contributions; a representative only their own agency's. */
  async list(user: Principal, caseId: string): Promise<ContributionView[]> {
    let agency: string | undefined;
    if (isRepresentative(user)) {
      await this.reachable(user, caseId);
      agency = user.agency;
    } else {
      await this.cases.get(user.partnership, caseId);
    }
    const views = await this.forCase(user.partnership, caseId, agency);
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['analyst', 'manager', 'agency-representative']),
      action: 'case.contributions.viewed',
      outcome: 'success',
      caseId,
      ...(agency ? { agency } : {}),
      details: { count: views.length, agencies: [...new Set(views.map((v) => v.agency))] },
    });
    return views;
  }

  /** Unaudited: for readers (the case file, the chronology) that audit their own view. */
  async forCase(partnership: string, caseId: string, agency?: string): Promise<ContributionView[]> {
    const rows = await this.contributions.forCase(partnership, caseId, agency);
    return Promise.all(
      rows.map(async (r) =>
        this.view(r, r.textSealed ? await this.keys.cipher.open<string>(r.textSealed) : null),
      ),
    );
  }

  /**
   * The person a contribution is about, for the decision: nothing for the child the case is about,
   * else their relationship and whether they are an adult today. The member must be on this case.
   */
  private async member(
    partnership: string,
    caseId: string,
    memberId: string | undefined,
    now: Date,
  ): Promise<{ relationship: MemberRelationship; adult: boolean } | undefined> {
    if (memberId === undefined) return undefined;
    const found = await this.members.get(partnership, caseId, memberId).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!found)
      throw brokerError(
        'CONTRIBUTION.UNKNOWN_MEMBER',
        "the member is not one of this case's household",
      );
    if (found.relationship === 'subject') return undefined;
    const details = found.detailsSealed
      ? await this.keys.cipher.open<SubjectCriteria>(found.detailsSealed)
      : undefined;
    if (!details) throw brokerError('CASE.DATA_DELETED', "the member's details have been deleted");
    return { relationship: found.relationship, adult: isAdult(details.dateOfBirth, now) };
  }

  private view(r: ContributionEntity, text: string | null): ContributionView {
    return {
      id: r.id,
      caseId: r.caseId,
      agency: r.agency,
      kind: r.kind,
      text,
      memberId: r.memberId,
      confidence: r.confidence,
      purpose: r.purpose,
      basis: { agreement: r.agreement, legalGateways: r.legalGateways },
      contributedBy: r.contributedBy,
      contributedAt: r.contributedAt.toISOString(),
    };
  }
}

export { isAdult };
