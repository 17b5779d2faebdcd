import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@mash/common';
import type { Relationship, SubjectCriteria } from '@mash/contracts';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { brokerError } from '../common/errors';
import { Transactions, type Tx } from '../common/transactions';
import { BrokerKeys } from '../keys/broker-keys';
import { CaseRepository } from './case.repository';
import type { MemberDto, MemberUpdateDto } from './case.dto';
import { CaseMemberEntity } from './member.entity';
import { MemberRepository } from './member.repository';

/** A person on a case as a reader sees them: the details are null once the case is purged. */
export type MemberView = {
  id: string;
  relationship: Relationship;
  addedAt: string;
  addedBy: string;
  dataDeleted?: true;
} & Partial<SubjectCriteria>;

/** A member with their details opened, for the services that ask agencies about them. */
export interface CaseMember {
  id: string;
  relationship: Relationship;
  details: SubjectCriteria;
}

/** The household on a case: the subject and the members added at referral or later. */
@Injectable()
export class MemberService {
  constructor(
    private readonly transactions: Transactions,
    private readonly cases: CaseRepository,
    private readonly members: MemberRepository,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly clock: Clock,
  ) {}

  /** A member row ready to insert: the details sealed, the pseudonym keyed to the partnership. */
  async build(
    user: Principal,
    caseId: string,
    relationship: Relationship,
    details: SubjectCriteria,
    now = this.clock.now(),
    sealed?: string,
  ): Promise<CaseMemberEntity> {
    const tokens = this.audit.pseudonyms(user.partnership, details);
    return Object.assign(new CaseMemberEntity(), {
      id: randomUUID(),
      partnership: user.partnership,
      caseId,
      relationship,
      detailsSealed: sealed ?? (await this.keys.cipher.seal(details)),
      // The name and date-of-birth token is always present (the last), as for the case's subject.
      pseudonym: tokens[tokens.length - 1] ?? null,
      createdAt: now,
      createdBy: user.sub,
    } satisfies CaseMemberEntity);
  }

  /** Adds a household member found after the referral; audited with the member's pseudonyms. */
  async add(user: Principal, caseId: string, dto: MemberDto): Promise<MemberView> {
    const { relationship, ...details } = dto;
    const now = this.clock.now();
    const member = await this.build(user, caseId, relationship, details, now);
    await this.transactions.run(async (tx) => {
      const c = await this.cases.get(user.partnership, caseId, tx, true);
      if (c.status !== 'open')
        throw brokerError(
          'CASE.NOT_OPEN',
          `the case is ${c.status}; members are added only to an open case`,
        );
      await this.members.insert([member], tx);
      await this.recordAdded(user, member, details, tx);
    });
    return this.view(member, details);
  }

  /**
   * Adds what would settle a possible match to a member (an identifier, a previous family name,
   * a postcode or address):
   * the details are sealed again; the audit names the fields changed, never their values.
   */
  async update(
    user: Principal,
    caseId: string,
    memberId: string,
    dto: MemberUpdateDto,
  ): Promise<MemberView> {
    return this.transactions.run(async (tx) => {
      const c = await this.cases.get(user.partnership, caseId, tx, true);
      if (c.status !== 'open')
        throw brokerError(
          'CASE.NOT_OPEN',
          `the case is ${c.status}; members are changed only on an open case`,
        );
      const member = await this.members.get(user.partnership, caseId, memberId, tx);
      const held = await this.detailsOf(member);
      if (!held) throw brokerError('CASE.DATA_DELETED', "the member's details have been deleted");
      const { identifiers, previousFamilyNames, ...rest } = dto;
      const formerNames = [
        ...new Set([...(held.previousFamilyNames ?? []), ...(previousFamilyNames ?? [])]),
      ];
      if (formerNames.length > 5)
        throw brokerError(
          'CASE.TOO_MANY_FORMER_NAMES',
          `previousFamilyNames: a member has at most 5 previous family names; this would make ${formerNames.length}`,
          { field: 'previousFamilyNames' },
        );
      const details: SubjectCriteria = {
        ...held,
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
        ...(identifiers ? { identifiers: { ...held.identifiers, ...identifiers } } : {}),
        ...(previousFamilyNames ? { previousFamilyNames: formerNames } : {}),
      };
      const fields = [
        ...Object.keys(rest).filter((k) => rest[k as keyof typeof rest] !== undefined),
        ...(previousFamilyNames ? ['previousFamilyNames'] : []),
        ...Object.keys(identifiers ?? {}).map((k) => `identifiers.${k}`),
      ].sort();
      await this.members.update(
        user.partnership,
        member.id,
        { detailsSealed: await this.keys.cipher.seal(details) },
        tx,
      );
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: primaryRole(user, ['analyst']),
          action: 'case.member.updated',
          outcome: 'success',
          caseId,
          subjectPseudonyms: this.audit.pseudonyms(user.partnership, details),
          details: { memberId: member.id, relationship: member.relationship, fields },
        },
        tx,
      );
      return this.view(member, details);
    });
  }

  /** The audit entry for a member added, at referral or later. */
  async recordAdded(
    user: Principal,
    member: CaseMemberEntity,
    details: SubjectCriteria,
    tx: Tx,
  ): Promise<void> {
    await this.audit.record(
      {
        partnership: user.partnership,
        actorType: 'user',
        actorId: user.sub,
        actorRole: primaryRole(user, ['analyst', 'manager']),
        action: 'case.member.added',
        outcome: 'success',
        caseId: member.caseId,
        subjectPseudonyms: this.audit.pseudonyms(user.partnership, details),
        details: { memberId: member.id, relationship: member.relationship },
      },
      tx,
    );
  }

  /** Every member of the case with their details, the subject first. */
  async list(partnership: string, caseId: string): Promise<MemberView[]> {
    const rows = await this.members.forCase(partnership, caseId);
    return Promise.all(rows.map(async (m) => this.view(m, await this.detailsOf(m))));
  }

  /** Who is on the case and how they relate to the child, without opening anyone's details. */
  async relationships(
    partnership: string,
    caseId: string,
  ): Promise<Array<{ id: string; relationship: Relationship }>> {
    return (await this.members.forCase(partnership, caseId)).map((m) => ({
      id: m.id,
      relationship: m.relationship,
    }));
  }

  /** The members whose details are still held, opened: what a query asks about. */
  async open(partnership: string, caseId: string, tx?: Tx): Promise<CaseMember[]> {
    const rows = await this.members.forCase(partnership, caseId, tx);
    const open: CaseMember[] = [];
    for (const m of rows) {
      const details = await this.detailsOf(m);
      if (details) open.push({ id: m.id, relationship: m.relationship, details });
    }
    return open;
  }

  private async detailsOf(m: CaseMemberEntity): Promise<SubjectCriteria | null> {
    return m.detailsSealed ? this.keys.cipher.open<SubjectCriteria>(m.detailsSealed) : null;
  }

  view(m: CaseMemberEntity, details: SubjectCriteria | null): MemberView {
    return {
      id: m.id,
      relationship: m.relationship,
      ...(details ?? { dataDeleted: true as const }),
      addedAt: m.createdAt.toISOString(),
      addedBy: m.createdBy,
    };
  }
}

/** 18 or over on the London day of `now` (the policy's test for what may be shared about an adult). */
export function isAdult(dateOfBirth: string, now: Date): boolean {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' }).format(now);
  const [y, m, d] = dateOfBirth.split('-').map(Number);
  const eighteenth = `${String(y + 18).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  return eighteenth <= today;
}
