import { Clock } from '@mash/common';
import { Inject, Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { Transactions, type Tx } from '../common/transactions';
import type { CaseEntity } from './case.entity';
import { RetentionRepository } from './retention.repository';
import { sharedCategoriesOf } from './shared-categories';
import { IntervalJob } from '../common/interval-job';

const BATCH = 100;

/**
 * Lets go of a closed (or signposted) case's data once its partnership's retention period after
 * closing has passed: the records agencies released, the details of the subject and every other
 * household member, and every free-text
 * field (narrative, referrer's name, consent and query justifications, rating rationales, the outcome's
 * rationale, withholding reasons). Ids, codes, dates, statuses, the subject pseudonym and the
 * kinds of information shared (labels) are kept, so the history, the metrics and the transparency
 * report still work. The audit entry carries metadata only.
 */
@Injectable()
export class RetentionJob extends IntervalJob<void> {
  constructor(
    private readonly transactions: Transactions,
    private readonly retention: RetentionRepository,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {
    super('cases.retention', 60_000, undefined);
  }

  protected async run(): Promise<void> {
    while ((await this.sweep()) === BATCH);
  }

  /** Deletes the data of cases whose retention ended at or before `now`. Returns how many cases. */
  async sweep(now = this.clock.now()): Promise<number> {
    return this.transactions.run(async (tx) => {
      const due = await this.retention.due(now, BATCH, tx);
      for (const c of due) await this.purge(c, now, tx);
      return due.length;
    });
  }

  private async purge(c: CaseEntity, now: Date, tx: Tx): Promise<void> {
    const parts = await this.retention.parts(c, tx);
    const shared = await sharedCategoriesOf(this.keys.cipher, parts);
    const released = parts.filter((p) => p.recordsSealed !== null);
    await this.retention.purge(c, now, shared, tx);
    await this.audit.record(
      {
        partnership: c.partnership,
        actorType: 'service',
        actorId: 'broker',
        action: 'case.data.deleted',
        outcome: 'success',
        caseId: c.id,
        details: {
          status: c.status,
          closedAt: c.closedAt?.toISOString() ?? null,
          retainUntil: c.retainUntil?.toISOString() ?? null,
          releasedRecordSets: released.length,
          agencies: [...new Set(released.map((p) => p.agency))].sort(),
          subjectDeleted: true,
        },
      },
      tx,
    );
  }
}
