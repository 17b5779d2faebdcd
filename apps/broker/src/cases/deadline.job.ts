import { Clock } from '@mash/common';
import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { z } from 'zod';
import { Topics, type CaseDeadlineApproachingV1, kafkaRecord } from '@mash/contracts';
import { timeLeft } from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { OutboxService } from '../outbox/outbox.service';
import type { KafkaRecord } from '../kafka/kafka.producer';
import { Transactions } from '../common/transactions';
import type { Rag } from './case.entity';
import { DeadlineRepository } from './deadline.repository';
import { ThresholdService } from '../thresholds/threshold.service';
import { IntervalJob } from '../common/interval-job';

const RAGS: Rag[] = ['red', 'amber', 'green'];
/** Longest `nearDeadlineMinutes` a matrix may set (a week): cases further out are not looked at. */
const HORIZON_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Publishes `mash.case.deadline.approaching.v1` once per deadline when an open case comes within
 * its partnership's `nearDeadlineMinutes` (through the outbox, with the mark that it was sent, so
 * a restart neither loses nor repeats it), and keeps `mash_cases_open{rag,deadline}` current.
 */
@Injectable()
export class DeadlineJob extends IntervalJob<void> {
  constructor(
    private readonly transactions: Transactions,
    private readonly deadlines: DeadlineRepository,
    private readonly thresholds: ThresholdService,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly metrics: BrokerMetrics,
    private readonly clock: Clock,
  ) {
    super('cases.deadlines', 5_000, undefined, true);
  }

  protected async run(): Promise<void> {
    const now = this.clock.now();
    await this.notifyApproaching(now);
    await this.refreshGauge(now);
  }

  /** Returns the ids of the cases announced. */
  async notifyApproaching(now = this.clock.now()): Promise<string[]> {
    const announced = await this.transactions.run(async (tx) => {
      const candidates = await this.deadlines.unannounced(
        new Date(now.getTime() + HORIZON_MS),
        500,
        tx,
      );
      // A case already past its deadline and never announced (e.g. the broker was down) is announced too.
      const near = candidates.filter(
        (c) =>
          timeLeft(c.dueAt as Date, now) <=
          this.thresholds.matrixFor(c.partnership, c.receivedAt).nearDeadlineMinutes * 60_000,
      );
      if (near.length === 0) return [];
      const records: KafkaRecord[] = near.map((c) => {
        const message: z.infer<typeof CaseDeadlineApproachingV1> = {
          type: 'case.deadline.approaching',
          version: 1,
          messageId: randomUUID(),
          caseId: c.id,
          partnership: c.partnership,
          rag: c.rag,
          dueAt: (c.dueAt as Date).toISOString(),
        };
        return kafkaRecord(Topics.caseDeadlineApproaching, c.id, message, { correlationId: c.id });
      });
      await this.outbox.enqueue(tx, records);
      await this.deadlines.markAnnounced(
        near.map((c) => c.id),
        now,
        tx,
      );
      await this.audit.record(
        near.map((c) => ({
          partnership: c.partnership,
          actorType: 'service' as const,
          actorId: 'broker',
          action: 'case.deadline.approaching',
          outcome: 'success' as const,
          caseId: c.id,
          details: { rag: c.rag, dueAt: (c.dueAt as Date).toISOString() },
        })),
        tx,
      );
      return near.map((c) => c.id);
    });
    if (announced.length > 0) this.outbox.kick();
    return announced;
  }

  /** Open cases by RAG and whether their deadline has passed (`within` or `overdue`). */
  async refreshGauge(now = this.clock.now()): Promise<void> {
    const rows = await this.deadlines.openCounts(now);
    for (const rag of RAGS) {
      for (const deadline of ['within', 'overdue'] as const) {
        const n = rows
          .filter((r) => r.rag === rag && r.overdue === (deadline === 'overdue'))
          .reduce((a, r) => a + r.n, 0);
        this.metrics.casesByDeadline.set({ rag, deadline }, n);
      }
    }
  }
}
