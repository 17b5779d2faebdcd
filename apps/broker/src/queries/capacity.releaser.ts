import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { DomainError, Clock } from '@mash/common';
import type { Agency, Purpose } from '@mash/contracts';
import type { Decision } from '@mash/policy';
import { compareQueued } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { CaseRepository } from '../cases/case.repository';
import { CaseService } from '../cases/case.service';
import type { Rag } from '../cases/case.entity';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { OutboxService } from '../outbox/outbox.service';
import { QueryAgencyEntity, QueryEntity } from './query.entity';
import { QueryRepository } from './query.repository';
import { QueryService } from './query.service';
import { CapacityQueueEntity } from './capacity.entity';
import { CapacityService } from './capacity.service';

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
export class CapacityReleaser implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Capacity');
  private timer: NodeJS.Timeout | undefined;
  private busy = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly capacity: CapacityService,
    private readonly queries: QueryService,
    private readonly queryRepository: QueryRepository,
    private readonly cases: CaseRepository,
    private readonly caseService: CaseService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly metrics: BrokerMetrics,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.tick(), 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async tick(): Promise<number> {
    if (this.busy) return 0;
    this.busy = true;
    try {
      return await this.releaseAll();
    } catch {
      this.logger.warn('capacity release pass failed; will retry');
      return 0;
    } finally {
      this.busy = false;
    }
  }

  /** The waiting requests of one agency, in the order they will be sent. */
  async waiting(partnership: string, agency: string): Promise<Waiting[]> {
    const rows = await this.dataSource
      .getRepository(CapacityQueueEntity)
      .find({ where: { partnership, agency } });
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
    const keys = (await this.dataSource.query(
      `SELECT DISTINCT partnership, agency FROM capacity_queue`,
    )) as Array<{ partnership: string; agency: string }>;
    let released = 0;
    for (const { partnership, agency } of keys) {
      await this.capacity.seed(partnership, agency);
      for (const next of await this.waiting(partnership, agency)) {
        if (!next.caseOpen) {
          await this.finish(next.row, 'failed', 'CASE.NOT_OPEN');
          continue;
        }
        if (!this.capacity.take(partnership, agency)) break;
        const sent = await this.release(next.row);
        // The agency cannot be reached: the rest of its queue waits too, in order.
        if (sent === 'agency-unreachable') break;
        if (sent) released += 1;
      }
    }
    return released;
  }

  private async release(row: CapacityQueueEntity): Promise<boolean | 'agency-unreachable'> {
    const now = this.clock.now();
    const query = await this.dataSource
      .getRepository(QueryEntity)
      .findOne({ where: { id: row.queryId } });
    if (!query) {
      await this.dataSource
        .getRepository(CapacityQueueEntity)
        .delete({ queryId: row.queryId, agency: row.agency });
      return false;
    }
    const deadlineAt = new Date(now.getTime() + this.config.queryTimeoutMs);
    let built: Awaited<ReturnType<QueryService['buildRequest']>>;
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
      );
      if (decision.decision !== 'permit') {
        // Nothing is sent, so the slot it took goes back to the next in line.
        this.capacity.giveBack(row.partnership, row.agency);
        await this.deny(row, decision);
        return false;
      }
      const kase = await this.cases.get(row.partnership, row.caseId);
      const subject = await this.caseService.subjectOf(kase);
      built = await this.queries.buildRequest(
        { sub: query.requestedBy, roles: [], partnership: query.partnership },
        query.requestedRole,
        row.caseId,
        row.queryId,
        decision,
        subject,
        deadlineAt,
        now,
      );
    } catch (error) {
      if (error instanceof DomainError) {
        await this.finish(row, 'failed', error.code);
        return false;
      }
      // The agency's keys cannot be fetched: its adapter is not up (typically just after a
      // restart). Not the request's fault: it keeps its place and slot-free, is tried again on
      // the next pass, and the analyst sees why it waits (the part's failure code while queued).
      this.capacity.giveBack(row.partnership, row.agency);
      await this.dataSource
        .getRepository(QueryAgencyEntity)
        .update(
          { queryId: row.queryId, agency: row.agency, status: 'queued' },
          { failureCode: 'AGENCY.KEYS_UNAVAILABLE' },
        );
      return 'agency-unreachable';
    }
    const sent = await this.dataSource.transaction(async (tx) => {
      const result = await tx
        .getRepository(QueryAgencyEntity)
        .createQueryBuilder()
        .update()
        .set({
          status: 'pending',
          failureCode: null,
          agreement: decision.agreement ?? null,
          obligations: decision.obligations,
          reasons: decision.reasons.map((r) => ({ code: r.code, text: r.text })),
          grantId: built.grantId,
          requestHash: built.requestHash,
          dispatchedAt: now,
          deadlineAt,
        })
        .where("query_id = :queryId AND agency = :agency AND status = 'queued'", {
          queryId: row.queryId,
          agency: row.agency,
        })
        .execute();
      await tx
        .getRepository(CapacityQueueEntity)
        .delete({ queryId: row.queryId, agency: row.agency });
      if ((result.affected ?? 0) === 0) return false;
      await this.audit.record(
        {
          partnership: row.partnership,
          actorType: 'service',
          actorId: 'broker',
          action: 'query.dispatched',
          outcome: 'success',
          caseId: row.caseId,
          queryId: row.queryId,
          agency: row.agency,
          details: {
            grantId: built.grantId,
            agreement: decision.agreement ?? null,
            requestedBy: query.requestedBy,
            requestedRole: query.requestedRole,
            queuedMs: now.getTime() - row.enqueuedAt.getTime(),
          },
        },
        tx,
      );
      await this.outbox.enqueue(tx, [built.record]);
      return true;
    });
    if (sent) {
      this.outbox.kick();
      this.metrics.dispatched.inc({ agency: row.agency });
    }
    return sent;
  }

  /** The request may no longer be sent: the part becomes denied with today's reasons, audited. */
  private async deny(row: CapacityQueueEntity, decision: Decision): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      const result = await tx
        .getRepository(QueryAgencyEntity)
        .createQueryBuilder()
        .update()
        .set({
          status: 'denied',
          decision: 'deny',
          reasons: decision.reasons.map((r) => ({ code: r.code, text: r.text })),
          obligations: null,
        })
        .where("query_id = :queryId AND agency = :agency AND status = 'queued'", {
          queryId: row.queryId,
          agency: row.agency,
        })
        .execute();
      await tx
        .getRepository(CapacityQueueEntity)
        .delete({ queryId: row.queryId, agency: row.agency });
      if ((result.affected ?? 0) === 0) return;
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
  ): Promise<void> {
    await this.dataSource.transaction(async (tx) => {
      await tx
        .getRepository(QueryAgencyEntity)
        .createQueryBuilder()
        .update()
        .set({ status, failureCode })
        .where("query_id = :queryId AND agency = :agency AND status = 'queued'", {
          queryId: row.queryId,
          agency: row.agency,
        })
        .execute();
      await tx
        .getRepository(CapacityQueueEntity)
        .delete({ queryId: row.queryId, agency: row.agency });
      await this.queryRepository.refreshStatus(row.queryId, tx);
    });
  }
}
