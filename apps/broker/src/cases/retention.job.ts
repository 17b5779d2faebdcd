import { Clock } from '@mash/common';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { BrokerKeys } from '../keys/broker-keys';
import { CaseEntity } from './case.entity';
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
    @InjectDataSource() private readonly dataSource: DataSource,
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
    return this.dataSource.transaction(async (tx) => {
      const due = await tx
        .getRepository(CaseEntity)
        .createQueryBuilder('c')
        .where(
          "c.status IN ('closed', 'signposted') AND c.purged_at IS NULL AND c.retain_until <= :now",
          { now },
        )
        .orderBy('c.retain_until', 'ASC')
        .limit(BATCH)
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .getMany();
      for (const c of due) await this.purge(c, now, tx);
      return due.length;
    });
  }

  private async purge(c: CaseEntity, now: Date, tx: EntityManager): Promise<void> {
    const parts = (await tx.query(
      `SELECT a.query_id, a.agency, a.records_sealed FROM federated_query_agency a JOIN federated_query q ON q.id = a.query_id
        WHERE q.partnership = $1 AND q.case_id = $2`,
      [c.partnership, c.id],
    )) as Array<{ query_id: string; agency: string; records_sealed: string | null }>;
    const shared = await sharedCategoriesOf(
      this.keys.cipher,
      parts.map((p) => ({ agency: p.agency, recordsSealed: p.records_sealed })),
    );
    const released = parts.filter((p) => p.records_sealed !== null);
    await tx.query(
      `UPDATE federated_query_agency SET records_sealed = NULL
        WHERE records_sealed IS NOT NULL AND query_id IN (SELECT id FROM federated_query WHERE partnership = $1 AND case_id = $2)`,
      [c.partnership, c.id],
    );
    await tx.getRepository(CaseEntity).update(
      { id: c.id },
      {
        subjectSealed: null,
        narrativeSealed: null,
        referrerNameSealed: null,
        purgedAt: now,
        sharedCategories: shared,
      },
    );
    // Every household member's details go with the subject's; relationships and pseudonyms stay.
    await tx.query(
      `UPDATE case_member SET details_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      [c.partnership, c.id],
    );
    await tx.query(
      `UPDATE consent_decision SET justification_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      [c.partnership, c.id],
    );
    await tx.query(
      `UPDATE federated_query SET justification_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      [c.partnership, c.id],
    );
    await tx.query(
      `UPDATE case_rating_change SET rationale_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      [c.partnership, c.id],
    );
    await tx.query(
      `UPDATE case_outcome SET rationale_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      [c.partnership, c.id],
    );
    await tx.query(
      `UPDATE transparency_withholding SET reason_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      [c.partnership, c.id],
    );
    // What people said about the household, and what meetings decided and asked of agencies.
    for (const sql of [
      `UPDATE case_contribution SET text_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE mash_meeting_case SET decision_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE mash_meeting_action SET action_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
    ])
      await tx.query(sql, [c.partnership, c.id]);
    await tx.query(`DELETE FROM capacity_queue WHERE partnership = $1 AND case_id = $2`, [
      c.partnership,
      c.id,
    ]);
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
