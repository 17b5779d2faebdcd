import { Inject, Injectable } from '@nestjs/common';
import { DomainError, Clock } from '@mash/common';
import type { Agency, Purpose } from '@mash/contracts';
import type { Decision } from '@mash/policy';
import { compareQueued } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/transactions';
import { CaseRepository } from '../cases/case.repository';
import { MemberService } from '../cases/member.service';
import { brokerError } from '../common/errors';
import type { QueryEntity } from './query.entity';
import type { Rag } from '../cases/case.entity';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { QueryRepository } from './query.repository';
import { QueryService } from './query.service';
import { QueryDispatcher, type Dispatch } from './query.dispatcher';
import type { CapacityQueueEntity } from './capacity.entity';
import { CapacityRepository } from './capacity.repository';
import { CapacityService, type CapacitySlot } from './capacity.service';
import { IntervalJob } from '../common/interval-job';

/** No deadline sorts after every deadline. */
const NEVER = new Date(8.64e15);

interface Waiting {
  row: CapacityQueueEntity;
  rag: Rag;
  dueAt: Date;
  caseOpen: boolean;
}

/**
 * Sends waiting requests as capacity frees: per agency, red before amber before green, then the
 * earliest case deadline, then the earliest arrival (`compareQueued`; the case's current rating
 * counts, so re-rating a case moves its requests). The policy decision is taken again, and the
 * request built and the grant signed, at release, so consent, rating and agreements are those of
 * the moment of sending and the grant's lifetime and the answer deadline run from dispatch.
 */
@Injectable()
export class CapacityReleaseJob extends IntervalJob<number> {
  constructor(
    private readonly transactions: Transactions,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly capacity: CapacityService,
    private readonly queue: CapacityRepository,
    private readonly queries: QueryService,
    private readonly queryRepository: QueryRepository,
    private readonly dispatcher: QueryDispatcher,
    private readonly cases: CaseRepository,
    private readonly members: MemberService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {
    super('queries.capacity-release', 1000, 0);
  }

  protected run(): Promise<number> {
    return this.releaseAll();
  }

  /** The waiting requests of one agency, in the order they will be sent. */
  async waiting(partnership: string, agency: string): Promise<Waiting[]> {
    const rows = await this.queue.waiting(partnership, agency);
    const waiting: Waiting[] = [];
    for (const row of rows) {
      const kase = await this.cases.get(partnership, row.caseId).catch(() => null);
      waiting.push({
        row,
        rag: kase?.rag ?? 'green',
        dueAt: kase?.dueAt ?? NEVER,
        caseOpen: kase?.status === 'open',
      });
    }
    return waiting.sort((a, b) =>
      compareQueued(
        { rag: a.rag, dueAt: a.dueAt, enqueuedAt: a.row.enqueuedAt, id: a.row.queryId },
        { rag: b.rag, dueAt: b.dueAt, enqueuedAt: b.row.enqueuedAt, id: b.row.queryId },
      ),
    );
  }

  async releaseAll(): Promise<number> {
    const keys = await this.queue.queues();
    let released = 0;
    for (const { partnership, agency } of keys) {
      for (const next of await this.waiting(partnership, agency)) {
        if (!next.caseOpen) {
          await this.finish(next.row, 'failed', 'CASE.NOT_OPEN');
          continue;
        }
        const slot = await this.capacity.take(partnership, agency);
        if (!slot) break;
        const sent = await this.release(next.row, slot);
        // The agency cannot be reached: the rest of its queue waits too, in order.
        if (sent === 'agency-unreachable') break;
        if (sent) released += 1;
      }
    }
    return released;
  }

  /**
   * Releases one agency's part of a query: every person it waits to ask about (the subject and
   * household members share one queue entry, as they share one capacity slot). True when any
   * request was sent.
   */
  private async release(
    row: CapacityQueueEntity,
    slot: CapacitySlot,
  ): Promise<boolean | 'agency-unreachable'> {
    let anySent = false;
    try {
      const query = await this.queryRepository.find(row.queryId);
      if (!query) {
        await this.queue.remove(row.queryId, row.agency);
        return false;
      }
      const waiting = await this.queryRepository.queuedParts(row.queryId, row.agency);
      for (const part of waiting) {
        const sent = await this.releasePart(row, query, part.memberId);
        if (sent === 'agency-unreachable') return anySent || sent;
        anySent ||= sent;
      }
      await this.queue.remove(row.queryId, row.agency);
      return anySent;
    } finally {
      // The household's requests to the agency share one slot: with none sent, this request's
      // own slot goes back to the next in line.
      if (!anySent) await this.capacity.giveBack(slot);
    }
  }

  private async releasePart(
    row: CapacityQueueEntity,
    query: QueryEntity,
    memberId: string,
  ): Promise<boolean | 'agency-unreachable'> {
    const now = this.clock.now();
    const deadlineAt = new Date(now.getTime() + this.config.queryTimeoutMs);
    let built: Dispatch;
    let decision: Decision;
    try {
      // Decided again now: consent refused, a case re-rated down or an agreement suspended
      // while the request waited must stop it, not the decision taken when it was queued.
      decision = await this.queries.redecide(
        { sub: query.requestedBy, role: query.requestedRole, partnership: query.partnership },
        row.caseId,
        query.purpose as Purpose,
        row.agency as Agency,
        query.justificationSealed !== null,
        now,
        memberId,
      );
      if (decision.decision !== 'permit') {
        await this.deny(row, decision, memberId);
        return false;
      }
      const member = (await this.members.open(row.partnership, row.caseId)).find(
        (m) => m.id === memberId,
      );
      if (!member) throw brokerError('CASE.DATA_DELETED', 'the person asked about has no details');
      built = await this.dispatcher.build({
        partnership: query.partnership,
        caseId: row.caseId,
        queryId: row.queryId,
        decision,
        subject: member.details,
        memberId,
        requestedBy: query.requestedBy,
        requestedRole: query.requestedRole,
        deadlineAt,
        now,
        queuedMs: now.getTime() - row.enqueuedAt.getTime(),
      });
    } catch (error) {
      if (error instanceof DomainError) {
        await this.finish(row, 'failed', error.code, memberId);
        return false;
      }
      // The agency's keys cannot be fetched: its adapter is not up (typically just after a
      // restart). Not the request's fault: it keeps its place and slot-free, is tried again on
      // the next pass, and the analyst sees why it waits (the part's failure code while queued).
      await this.queryRepository.updateQueued(row.queryId, row.agency, {
        failureCode: 'AGENCY.KEYS_UNAVAILABLE',
      });
      return 'agency-unreachable';
    }
    const sent = await this.transactions.run(async (tx) => {
      const moved = await this.queryRepository.updateQueued(
        row.queryId,
        row.agency,
        {
          status: 'pending',
          failureCode: null,
          agreement: decision.agreement ?? null,
          obligations: decision.obligations,
          reasons: decision.reasons.map((r) => ({ code: r.code, text: r.text })),
          grantId: built.grantId,
          requestHash: built.requestHash,
          dispatchedAt: now,
          deadlineAt,
        },
        tx,
        memberId,
      );
      if (!moved) return false;
      await this.dispatcher.commit(tx, [built]);
      return true;
    });
    if (sent) this.dispatcher.sent([built]);
    return sent;
  }

  /** The request may no longer be sent: the part becomes denied with today's reasons, audited. */
  private async deny(
    row: CapacityQueueEntity,
    decision: Decision,
    memberId: string,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      const denied = await this.queryRepository.updateQueued(
        row.queryId,
        row.agency,
        {
          status: 'denied',
          decision: 'deny',
          reasons: decision.reasons.map((r) => ({ code: r.code, text: r.text })),
          obligations: null,
        },
        tx,
        memberId,
      );
      if (!denied) return;
      await this.audit.record(
        {
          partnership: row.partnership,
          actorType: 'service',
          actorId: 'broker',
          action: 'policy.decision',
          outcome: 'deny',
          caseId: row.caseId,
          queryId: row.queryId,
          agency: row.agency,
          details: {
            memberId,
            atRelease: true,
            reasons: decision.reasons.map((r) => r.code),
            agreement: decision.agreement ?? null,
          },
        },
        tx,
      );
      await this.queryRepository.refreshStatus(row.queryId, tx);
    });
  }

  private async finish(
    row: CapacityQueueEntity,
    status: 'failed',
    failureCode: string,
    memberId?: string,
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      await this.queryRepository.updateQueued(
        row.queryId,
        row.agency,
        { status, failureCode },
        tx,
        memberId,
      );
      // Without a person named, the whole entry fails (every person it waited to ask about).
      if (!memberId) await this.queue.remove(row.queryId, row.agency, tx);
      await this.queryRepository.refreshStatus(row.queryId, tx);
    });
  }
}
