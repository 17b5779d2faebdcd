import { Inject, Injectable } from '@nestjs/common';
import { legalGateway, minimise, type AgreementVersion, type LegalGatewayCode } from '@mash/policy';
import { AgreementRepository } from '../agreements/agreement.repository';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { CaseRepository } from '../cases/case.repository';
import { MemberService, type MemberView } from '../cases/member.service';
import { ContributionService } from '../contributions/contribution.service';
import { BrokerKeys } from '../keys/broker-keys';
import { QueryRepository } from '../queries/query.repository';

interface Basis {
  purpose: string;
  agreement: { id: string; version: number; hash: string } | null;
  legalGateways: Array<{ code: string; label: string }>;
}

/** The person an item is about, named as the case file names them. */
export interface ChronologyMember {
  id: string | null;
  relationship: string;
  name: string | null;
}

export type ChronologyItem = {
  at: string;
  agency: string;
  member: ChronologyMember;
  basis: Basis;
} & (
  | {
      type: 'answer';
      status: string;
      match?: { confidence: number; method: string } | null;
      records?: Record<string, unknown[]>;
      source: { kind: 'agency-system'; queryId: string };
    }
  | {
      type: 'contribution';
      kind: string;
      text: string | null;
      confidence: string | null;
      source: { kind: 'agency-representative'; contributionId: string; contributedBy: string };
    }
);

/**
 * Every agency's answers and every contribution about the household as one dated list, oldest
 * first: each names its agency, the person it is about, the basis it was shared on (purpose,
 * agreement version, legal gateways) and its source (an agency's system through a query, or a
 * person through a contribution). Reading it is audited as a view of released records.
 */
@Injectable()
export class ChronologyService {
  constructor(
    private readonly cases: CaseRepository,
    private readonly members: MemberService,
    private readonly queries: QueryRepository,
    private readonly contributions: ContributionService,
    private readonly agreements: AgreementRepository,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
  ) {}

  async read(
    user: Principal,
    caseId: string,
  ): Promise<{ caseId: string; items: ChronologyItem[] }> {
    await this.cases.get(user.partnership, caseId);
    const people = await this.members.list(user.partnership, caseId);
    const subject = people.find((m) => m.relationship === 'subject');
    const who = (memberId: string | null): ChronologyMember => {
      const m = memberId ? people.find((p) => p.id === memberId) : subject;
      return m
        ? { id: m.id, relationship: m.relationship, name: nameOf(m) }
        : { id: memberId, relationship: memberId ? 'unknown' : 'subject', name: null };
    };
    const gateways = new Map<string, AgreementVersion | null>();
    const basisOf = async (
      purpose: string,
      agreement: Basis['agreement'],
    ): Promise<Basis['legalGateways']> => {
      if (!agreement) return [];
      const k = `${agreement.id}@${agreement.version}`;
      if (!gateways.has(k))
        gateways.set(
          k,
          await this.agreements
            .get(user.partnership, agreement.id, agreement.version)
            .then((row) => row.content)
            .catch(() => null),
        );
      const content = gateways.get(k);
      if (!content) return [];
      const codes =
        content.purposes[purpose as keyof AgreementVersion['purposes']]?.legalGateways ??
        content.legalGateways;
      return codes.map((code: LegalGatewayCode) => ({ code, label: legalGateway(code).label }));
    };

    const items: ChronologyItem[] = [];
    for (const { query, part } of await this.queries.partsForCase(user.partnership, caseId)) {
      if (!part.respondedAt) continue;
      const records =
        part.recordsSealed && part.obligations
          ? minimise(
              await this.keys.cipher.open<Record<string, Array<Record<string, unknown>>>>(
                part.recordsSealed,
              ),
              part.obligations,
            )
          : undefined;
      items.push({
        type: 'answer',
        at: part.respondedAt.toISOString(),
        agency: part.agency,
        member: who(part.memberId),
        basis: {
          purpose: query.purpose,
          agreement: part.agreement,
          legalGateways: await basisOf(query.purpose, part.agreement),
        },
        status: part.status,
        ...(part.match
          ? { match: { confidence: part.match.confidence, method: part.match.method } }
          : {}),
        ...(records ? { records } : {}),
        source: { kind: 'agency-system', queryId: query.id },
      });
    }
    for (const c of await this.contributions.forCase(user.partnership, caseId)) {
      items.push({
        type: 'contribution',
        at: c.contributedAt,
        agency: c.agency,
        member: who(c.memberId),
        basis: { purpose: c.purpose, ...c.basis },
        kind: c.kind,
        text: c.text,
        confidence: c.confidence,
        source: {
          kind: 'agency-representative',
          contributionId: c.id,
          contributedBy: c.contributedBy,
        },
      });
    }
    items.sort((a, b) => a.at.localeCompare(b.at) || a.type.localeCompare(b.type));
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['analyst', 'manager']),
      action: 'case.chronology.viewed',
      outcome: 'success',
      caseId,
      details: {
        answers: items.filter((i) => i.type === 'answer').length,
        contributions: items.filter((i) => i.type === 'contribution').length,
        agencies: [...new Set(items.map((i) => i.agency))].sort(),
      },
    });
    return { caseId, items };
  }
}

function nameOf(m: MemberView): string | null {
  const name = [m.givenName, m.familyName].filter(Boolean).join(' ');
  return name || null;
}
