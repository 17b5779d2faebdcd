import { Injectable } from '@nestjs/common';
import type { Tx } from '../common/transactions';
import { CaseEntity } from './case.entity';

/** A part of a query about a case, as retention sees it: who released what. */
export interface ReleasedPart {
  agency: string;
  recordsSealed: string | null;
}

/**
 * What the retention job reads and clears, across the tables that hold a case's data. Every
 * method runs in the job's transaction.
 */
@Injectable()
export class RetentionRepository {
  /**
   * Up to `limit` closed (or signposted) cases whose retention ended at or before `now`, oldest
   * first, locked; cases another instance is purging are skipped.
   */
  due(now: Date, limit: number, tx: Tx): Promise<CaseEntity[]> {
    return tx
      .getRepository(CaseEntity)
      .createQueryBuilder('c')
      .where(
        "c.status IN ('closed', 'signposted') AND c.purged_at IS NULL AND c.retain_until <= :now",
        { now },
      )
      .orderBy('c.retain_until', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /** Every agency's part of every query about the case, with its sealed records if any. */
  async parts(c: CaseEntity, tx: Tx): Promise<ReleasedPart[]> {
    const rows = (await tx.query(
      `SELECT a.query_id, a.agency, a.records_sealed FROM federated_query_agency a JOIN federated_query q ON q.id = a.query_id
        WHERE q.partnership = $1 AND q.case_id = $2`,
      [c.partnership, c.id],
    )) as Array<{ query_id: string; agency: string; records_sealed: string | null }>;
    return rows.map((r) => ({ agency: r.agency, recordsSealed: r.records_sealed }));
  }

  /**
   * Deletes the case's personal data and free text everywhere it is held, and marks it purged
   * with the kinds of information that were shared (`sharedCategories`).
   */
  async purge(
    c: CaseEntity,
    now: Date,
    sharedCategories: CaseEntity['sharedCategories'],
    tx: Tx,
  ): Promise<void> {
    const params = [c.partnership, c.id];
    await tx.query(
      `UPDATE federated_query_agency SET records_sealed = NULL
        WHERE records_sealed IS NOT NULL AND query_id IN (SELECT id FROM federated_query WHERE partnership = $1 AND case_id = $2)`,
      params,
    );
    await tx.getRepository(CaseEntity).update(
      { id: c.id },
      {
        subjectSealed: null,
        narrativeSealed: null,
        referrerNameSealed: null,
        purgedAt: now,
        sharedCategories,
      },
    );
    for (const sql of [
      // Every household member's details go with the subject's; relationships and pseudonyms stay.
      `UPDATE case_member SET details_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE consent_decision SET justification_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE federated_query SET justification_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE case_rating_change SET rationale_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE case_outcome SET rationale_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE transparency_withholding SET reason_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      // What people said about the household, and what meetings decided and asked of agencies.
      `UPDATE case_contribution SET text_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE mash_meeting_case SET decision_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `UPDATE mash_meeting_action SET action_sealed = NULL WHERE partnership = $1 AND case_id = $2`,
      `DELETE FROM capacity_queue WHERE partnership = $1 AND case_id = $2`,
    ])
      await tx.query(sql, params);
  }
}
