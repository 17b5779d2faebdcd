import { Clock } from '@mash/common';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { AgreementVersion } from '@mash/policy';
import { Transactions } from '../common/transactions';
import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import { MemberRepository } from '../cases/member.repository';
import { isAdult } from '../cases/member.service';
import { ConsentService } from '../consent/consent.service';
import { sharedCategoriesOf } from '../cases/shared-categories';
import { BrokerKeys } from '../keys/broker-keys';
import { OutcomeRepository } from '../outcomes/outcome.repository';
import { QueryRepository } from '../queries/query.repository';
import {
  buildTransparencyReport,
  withholdableItems,
  type ReportInput,
  type TransparencyReport,
} from './report';
import type { WithholdDto } from './transparency.dto';
import { TransparencyWithholdingEntity } from './withholding.entity';
import { WithholdingRepository } from './withholding.repository';
import { brokerError } from '../common/errors';

function humanise(name: string): string {
  const words = name
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[-_]/g, ' ')
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The family's transparency report and the manager's withholdings from it. */
@Injectable()
export class TransparencyService {
  constructor(
    private readonly transactions: Transactions,
    private readonly withholdings: WithholdingRepository,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly cases: CaseRepository,
    private readonly caseService: CaseService,
    private readonly members: MemberRepository,
    private readonly consent: ConsentService,
    private readonly queries: QueryRepository,
    private readonly agreements: AgreementRepository,
    private readonly outcomes: OutcomeRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async withhold(
    user: Principal,
    caseId: string,
    dto: WithholdDto,
  ): Promise<{ item: string; withheldBy: string; withheldAt: string }> {
    // A withholding holds in every person's report, so it may name what any of them shows.
    const items = withholdableItems(await this.inputFor(user, caseId, 'everyone'));
    if (!items.includes(dto.item))
      throw brokerError(
        'TRANSPARENCY.UNKNOWN_ITEM',
        `item: "${dto.item}" is not in this case's report, so withholding it would hide nothing; this report has: ${items.join(', ')}`,
        { field: 'item', validItems: items },
      );
    const row = Object.assign(new TransparencyWithholdingEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      caseId,
      item: dto.item,
      reasonSealed: await this.keys.cipher.seal(dto.reason),
      withheldBy: user.sub,
      withheldAt: this.clock.now(),
    } satisfies Partial<TransparencyWithholdingEntity>);
    await this.transactions.run(async (tx) => {
      await this.cases.get(user.partnership, caseId, tx, true);
      await this.withholdings.upsert(row, tx);
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: 'manager',
          action: 'transparency.item.withheld',
          outcome: 'success',
          caseId,
          details: { item: dto.item },
        },
        tx,
      );
    });
    return { item: row.item, withheldBy: row.withheldBy, withheldAt: row.withheldAt.toISOString() };
  }

  async report(
    user: Principal,
    caseId: string,
    format: 'json' | 'html',
    memberId?: string,
    now = this.clock.now(),
  ): Promise<TransparencyReport> {
    const input = await this.inputFor(user, caseId, memberId);
    const withheld = await this.withholdings.forCase(user.partnership, caseId);
    const report = buildTransparencyReport(
      { ...input, withheld: new Set(withheld.map((w) => w.item)) },
      now,
    );
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['manager', 'analyst']),
      action: 'transparency.report.generated',
      outcome: 'success',
      caseId,
      details: {
        format,
        withheldItems: withheld.length,
        ...(input.person ? { memberId: input.person.memberId } : {}),
      },
    });
    return report;
  }

  /**
   * What a person's report is built from, before withholdings: what was asked and shared about
   * that person only (the child referred unless `who` names another member), or with
   * `everyone`, about anyone on the case.
   */
  private async inputFor(
    user: Principal,
    caseId: string,
    who?: string,
  ): Promise<Omit<ReportInput, 'withheld'>> {
    const kase = await this.cases.get(user.partnership, caseId);
    const household = await this.members.forCase(user.partnership, caseId);
    const person =
      who === 'everyone'
        ? undefined
        : who
          ? await this.members.get(user.partnership, caseId, who)
          : household.find((m) => m.relationship === 'subject');
    const matrix = this.caseService.matrix(user.partnership, kase.receivedAt);
    const queries = await this.queries.listForCase(user.partnership, caseId);
    const parts = (
      await this.queries.agenciesForQueries(
        user.partnership,
        queries.map((q) => q.id),
      )
    ).filter((p) => p.decision === 'permit' && (!person || p.memberId === person.id));
    const agreementCache = new Map<string, AgreementVersion | null>();
    const agreementOf = async (
      ref: { id: string; version: number } | null,
    ): Promise<AgreementVersion | null> => {
      if (!ref) return null;
      const key = `${ref.id}@${ref.version}`;
      if (!agreementCache.has(key)) {
        const row = await this.agreements
          .get(user.partnership, ref.id, ref.version)
          .catch(() => null);
        agreementCache.set(key, row ? row.content : null);
      }
      return agreementCache.get(key) ?? null;
    };

    const requests: ReportInput['requests'] = [];
    const descriptions = new Map<string, string>();
    for (const p of parts) {
      const query = queries.find((q) => q.id === p.queryId);
      if (!query) continue;
      const agreement = await agreementOf(p.agreement);
      const rule = agreement?.purposes[query.purpose as keyof AgreementVersion['purposes']];
      for (const [name, category] of Object.entries(rule?.categories ?? {})) {
        if (category.description) descriptions.set(`${p.agency}:${name}`, category.description);
      }
      requests.push({
        agency: p.agency,
        purpose: query.purpose,
        askedAt: p.dispatchedAt ?? query.createdAt,
        status: p.status,
        legalGateways: rule?.legalGateways ?? agreement?.legalGateways ?? [],
      });
    }
    // After the purge only the case's summary of kinds remains, and it is the child's to tell.
    const sharedNames = kase.purgedAt
      ? person?.relationship === 'subject' || who === 'everyone'
        ? (kase.sharedCategories ?? {})
        : {}
      : await sharedCategoriesOf(this.keys.cipher, parts);
    const shared: ReportInput['shared'] = Object.fromEntries(
      Object.entries(sharedNames).map(([agency, names]) => [
        agency,
        names.map((category) => ({
          category,
          description: descriptions.get(`${agency}:${category}`) ?? humanise(category),
        })),
      ]),
    );
    const positions = await this.consent.positions(user.partnership, caseId);
    const consent = person ? positions.person(person.id) : positions.subject();
    const details = person?.detailsSealed
      ? await this.keys.cipher.open<{ dateOfBirth: string }>(person.detailsSealed)
      : null;
    const latest = (await this.outcomes.forCase(user.partnership, caseId))[0]?.outcome;
    return {
      caseId,
      ...(person && who !== undefined
        ? {
            person: {
              memberId: person.id,
              relationship: person.relationship,
              // Once the details are deleted the age is unknown: written as to a parent.
              adult: details ? isAdult(details.dateOfBirth, kase.receivedAt) : false,
            },
          }
        : {}),
      receivedAt: kase.receivedAt,
      referrerAgency: kase.referrerAgency,
      concerns: kase.concerns.map((c) => matrix.concerns[c]?.label ?? humanise(c)),
      consent: { status: consent.status, reason: consent.reason },
      requests,
      shared,
      decision: latest
        ? { outcome: latest.outcome, decidedAt: latest.decidedAt, closed: latest.closedCase }
        : null,
      dataDeletedAt: kase.purgedAt,
    };
  }
}
