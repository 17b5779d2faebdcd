import { Inject, Injectable } from '@nestjs/common';
import type { SubjectCriteria } from '@mash/contracts';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { CaseService, type CaseSummary, type RatingChangeView } from '../cases/case.service';
import { MemberService, type MemberView } from '../cases/member.service';
import { ConsentService } from '../consent/consent.service';
import { BrokerKeys } from '../keys/broker-keys';
import { OutcomeService, type OutcomeView } from '../outcomes/outcome.service';
import { WithholdingRepository } from '../transparency/withholding.repository';

export interface CaseDetail extends CaseSummary {
  /** Null once the case's personal data has been deleted after its retention period. */
  subject: SubjectCriteria | null;
  /** The household: the subject (`relationship: 'subject'`) first, then every other member. */
  members: MemberView[];
  consent: unknown[];
  ratingHistory: RatingChangeView[];
  outcomes: OutcomeView[];
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
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
  ) {}

  async read(user: Principal, id: string): Promise<CaseDetail> {
    const c = await this.cases.get(user.partnership, id);
    const subject = c.subjectSealed
      ? await this.keys.cipher.open<SubjectCriteria>(c.subjectSealed)
      : null;
    const members = await this.members.list(user.partnership, id);
    const consent = await this.consent.history(user.partnership, id);
    const ratingHistory = await this.caseService.ratingHistory(user.partnership, id);
    const outcomes = await this.outcomes.forCase(user.partnership, id);
    const withheld = await this.withholdings.forCase(user.partnership, id);
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
}
