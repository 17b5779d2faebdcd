import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError } from '@mash/common';
import type { SubjectCriteria } from '@mash/contracts';
import { AuditService } from '../audit/audit.service';
import {
  isRepresentative,
  primaryRole,
  type Principal,
  type Representative,
} from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { CaseService, type CaseSummary, type RatingChangeView } from '../cases/case.service';
import { MemberService, type MemberView } from '../cases/member.service';
import { ConsentService } from '../consent/consent.service';
import { BrokerKeys } from '../keys/broker-keys';
import { OutcomeService, type OutcomeView } from '../outcomes/outcome.service';
import { WithholdingRepository } from '../transparency/withholding.repository';
import { ContributionService, type ContributionView } from '../contributions/contribution.service';
import { QueryRepository } from '../queries/query.repository';
import { minimise } from '@mash/policy';

/**
 * What an agency's representative sees of a case their agency was asked about: the case's
 * header, who is in the household (names and relationships only), their own agency's answers
 * and their own agency's contributions. Not the referral's narrative, the consent record, other
 * agencies' answers, outcomes' rationale or anyone's date of birth, address or identifiers.
 */
export interface RepresentativeCaseView {
  id: string;
  status: string;
  level: number;
  rag: string;
  concerns: string[];
  receivedAt: string;
  dueAt: string | null;
  members: Array<{ id: string; relationship: string; givenName?: string; familyName?: string }>;
  answers: Array<{
    queryId: string;
    purpose: string;
    askedAt: string;
    /** The household member the answer is about; absent for the child referred. */
    memberId?: string;
    status: string;
    match?: { confidence: number; method: string };
    /** How the representative's agency settled a possible match, if it did. */
    resolution?: { decision: 'confirm' | 'reject'; at: string };
    records?: Record<string, unknown[]>;
    respondedAt: string | null;
  }>;
  contributions: ContributionView[];
}

export interface CaseDetail extends CaseSummary {
  /** Null once the case's personal data has been deleted after its retention period. */
  subject: SubjectCriteria | null;
  /** The household: the subject (`relationship: 'subject'`) first, then every other member. */
  members: MemberView[];
  consent: unknown[];
  ratingHistory: RatingChangeView[];
  outcomes: OutcomeView[];
  /** What agencies' representatives added, shown with the answers. */
  contributions: ContributionView[];
  transparencyWithheld: Array<{
    item: string;
    reason: string | null;
    withheldBy: string;
    withheldAt: string;
  }>;
  closedAt: string | null;
  retainUntil: string | null;
  dataDeletedAt: string | null;
}

/**
 * The whole case as a reader sees it: the case with its consent and rating history, its outcomes
 * and what was withheld from its transparency report. A feature of its own because it reads from
 * cases, outcomes and transparency, which must not read from each other in a circle.
 */
@Injectable()
export class CaseFileService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly caseService: CaseService,
    private readonly members: MemberService,
    private readonly consent: ConsentService,
    private readonly outcomes: OutcomeService,
    private readonly withholdings: WithholdingRepository,
    private readonly contributions: ContributionService,
    private readonly queries: QueryRepository,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
  ) {}

  async read(user: Principal, id: string): Promise<CaseDetail | RepresentativeCaseView> {
    return isRepresentative(user) ? this.readAsRepresentative(user, id) : this.readDetail(user, id);
  }

  /** The whole case file, for the partnership's own staff (never a representative). */
  async readDetail(user: Principal, id: string): Promise<CaseDetail> {
    if (isRepresentative(user)) throw new NotFoundError('case');
    const c = await this.cases.get(user.partnership, id);
    const subject = c.subjectSealed
      ? await this.keys.cipher.open<SubjectCriteria>(c.subjectSealed)
      : null;
    const members = await this.members.list(user.partnership, id);
    const consent = await this.consent.history(user.partnership, id);
    const ratingHistory = await this.caseService.ratingHistory(user.partnership, id);
    const outcomes = await this.outcomes.forCase(user.partnership, id);
    const withheld = await this.withholdings.forCase(user.partnership, id);
    const contributions = await this.contributions.forCase(user.partnership, id);
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['analyst', 'manager']),
      action: 'case.viewed',
      outcome: 'success',
      caseId: id,
    });
    return {
      ...this.caseService.summary(c),
      subject,
      members,
      consent,
      ratingHistory,
      outcomes,
      contributions,
      transparencyWithheld: await Promise.all(
        withheld.map(async (w) => ({
          item: w.item,
          reason: w.reasonSealed ? await this.keys.cipher.open<string>(w.reasonSealed) : null,
          withheldBy: w.withheldBy,
          withheldAt: w.withheldAt.toISOString(),
        })),
      ),
      closedAt: c.closedAt?.toISOString() ?? null,
      retainUntil: c.retainUntil?.toISOString() ?? null,
      dataDeletedAt: c.purgedAt?.toISOString() ?? null,
    };
  }

  private async readAsRepresentative(
    user: Representative,
    id: string,
  ): Promise<RepresentativeCaseView> {
    const { kase } = await this.contributions.reachable(user, id);
    const members = await this.members.list(user.partnership, id);
    const parts = (await this.queries.partsForCase(user.partnership, id)).filter(
      ({ part }) => part.agency === user.agency && part.decision === 'permit',
    );
    const answers: RepresentativeCaseView['answers'] = [];
    for (const { query, part } of parts) {
      const records =
        part.recordsSealed && part.obligations
          ? minimise(
              await this.keys.cipher.open<Record<string, Array<Record<string, unknown>>>>(
                part.recordsSealed,
              ),
              part.obligations,
            )
          : undefined;
      const member = members.find((m) => m.id === part.memberId);
      answers.push({
        queryId: query.id,
        purpose: query.purpose,
        askedAt: query.createdAt.toISOString(),
        ...(member && member.relationship !== 'subject' ? { memberId: member.id } : {}),
        status: part.status,
        ...(part.resolution
          ? { resolution: { decision: part.resolution.decision, at: part.resolution.at } }
          : {}),
        ...(part.match
          ? { match: { confidence: part.match.confidence, method: part.match.method } }
          : {}),
        ...(records ? { records } : {}),
        respondedAt: part.respondedAt?.toISOString() ?? null,
      });
    }
    const contributions = await this.contributions.forCase(user.partnership, id, user.agency);
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: 'agency-representative',
      action: 'case.viewed',
      outcome: 'success',
      caseId: id,
      agency: user.agency,
      details: { view: 'agency-representative' },
    });
    return {
      id: kase.id,
      status: kase.status,
      level: kase.level,
      rag: kase.rag,
      concerns: kase.concerns,
      receivedAt: kase.receivedAt.toISOString(),
      dueAt: kase.dueAt?.toISOString() ?? null,
      members: members.map((m) => ({
        id: m.id,
        relationship: m.relationship,
        ...(m.givenName ? { givenName: m.givenName } : {}),
        ...(m.familyName ? { familyName: m.familyName } : {}),
      })),
      answers,
      contributions,
    };
  }
}
