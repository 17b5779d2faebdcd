import { Inject, Injectable } from '@nestjs/common';
import { Clock, NotFoundError } from '@mash/common';
import { AuditService } from '../audit/audit.service';
import { isRepresentative, type Principal } from '../auth/principal';
import { MemberService } from '../cases/member.service';
import { brokerError } from '../common/errors';
import { Transactions } from '../common/transactions';
import { BrokerKeys } from '../keys/broker-keys';
import type { MatchResolutionDto } from './query.dto';
import { QueryRepository } from './query.repository';

export interface MatchResolutionView {
  queryId: string;
  agency: string;
  memberId?: string;
  decision: 'confirm' | 'reject';
  status: 'possible-match' | 'no-match';
  resolvedAt: string;
  resolvedBy: string;
}

/**
 * An agency's representative settles a `possible-match` their agency answered: they look at the
 * candidate in their own systems (the broker never sees it) and reject it, which makes the part
 * `no-match`, or confirm it, which is recorded so the analyst can ask again with what settles it.
 */
@Injectable()
export class MatchResolutionService {
  constructor(
    private readonly transactions: Transactions,
    private readonly queries: QueryRepository,
    private readonly members: MemberService,
    private readonly audit: AuditService,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly clock: Clock,
  ) {}

  async resolve(
    user: Principal,
    queryId: string,
    dto: MatchResolutionDto,
  ): Promise<MatchResolutionView> {
    if (!isRepresentative(user))
      throw brokerError('AUTH.FORBIDDEN', 'only an agency representative may settle a match');
    const { query, agencies } = await this.queries.get(user.partnership, queryId);
    const household = await this.members.relationships(user.partnership, query.caseId);
    const memberId = dto.memberId ?? household.find((m) => m.relationship === 'subject')?.id;
    const part = agencies.find((a) => a.agency === user.agency && a.memberId === memberId);
    // Another agency's part, or a person the agency was not asked about, is as good as missing.
    if (!part) throw new NotFoundError('query');
    if (part.status !== 'possible-match' || part.resolution)
      throw brokerError(
        'QUERY.NOT_POSSIBLE_MATCH',
        `this answer is ${part.status}${part.resolution ? ', already settled' : ''}; only an unsettled possible match can be confirmed or rejected`,
      );
    const now = this.clock.now();
    const resolution = {
      decision: dto.decision,
      by: user.sub,
      at: now.toISOString(),
      ...(dto.note ? { noteSealed: await this.keys.cipher.seal(dto.note) } : {}),
    };
    const status = dto.decision === 'reject' ? 'no-match' : 'possible-match';
    await this.transactions.run(async (tx) => {
      const applied = await this.queries.resolveMatch(
        queryId,
        part.agency,
        part.memberId,
        dto.decision === 'reject' ? { resolution, status } : { resolution },
        tx,
      );
      if (!applied)
        throw brokerError('QUERY.NOT_POSSIBLE_MATCH', 'this possible match was settled meanwhile');
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: 'agency-representative',
          action: 'query.match.resolved',
          outcome: 'success',
          caseId: query.caseId,
          queryId,
          agency: user.agency,
          details: { memberId: part.memberId, decision: dto.decision, status },
        },
        tx,
      );
    });
    return {
      queryId,
      agency: part.agency,
      ...(dto.memberId ? { memberId: part.memberId } : {}),
      decision: dto.decision,
      status,
      resolvedAt: resolution.at,
      resolvedBy: user.sub,
    };
  }
}
