import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { CaseOutcomeEntity, OutcomeDeliveryEntity } from './outcome.entity';

/** Outcomes and their per-agency deliveries; every read by a user is scoped to a partnership. */
@Injectable()
export class OutcomeRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private m(tx?: EntityManager): EntityManager {
    return tx ?? this.dataSource.manager;
  }

  async insert(
    outcome: CaseOutcomeEntity,
    deliveries: OutcomeDeliveryEntity[],
    tx: EntityManager,
  ): Promise<void> {
    await tx.getRepository(CaseOutcomeEntity).insert(outcome);
    if (deliveries.length > 0) await tx.getRepository(OutcomeDeliveryEntity).insert(deliveries);
  }

  async forCase(
    partnership: string,
    caseId: string,
    tx?: EntityManager,
  ): Promise<Array<{ outcome: CaseOutcomeEntity; deliveries: OutcomeDeliveryEntity[] }>> {
    const outcomes = await this.m(tx)
      .getRepository(CaseOutcomeEntity)
      .find({ where: { partnership, caseId }, order: { decidedAt: 'DESC' } });
    const deliveries = await this.m(tx)
      .getRepository(OutcomeDeliveryEntity)
      .find({ where: { partnership, caseId }, order: { agency: 'ASC' } });
    return outcomes.map((outcome) => ({
      outcome,
      deliveries: deliveries.filter((d) => d.outcomeId === outcome.id),
    }));
  }

  async get(outcomeId: string, tx?: EntityManager): Promise<CaseOutcomeEntity | null> {
    return this.m(tx)
      .getRepository(CaseOutcomeEntity)
      .findOne({ where: { id: outcomeId } });
  }

  /**
   * Agencies that answered a query on the case with a match: they contributed, so they hear the
   * decision. Answers after a timeout count too (the records were received).
   */
  async contributors(partnership: string, caseId: string, tx?: EntityManager): Promise<string[]> {
    const rows = (await this.m(tx).query(
      `SELECT DISTINCT a.agency FROM federated_query_agency a JOIN federated_query q ON q.id = a.query_id
        WHERE q.partnership = $1 AND q.case_id = $2 AND a.status = 'match' ORDER BY a.agency`,
      [partnership, caseId],
    )) as Array<{ agency: string }>;
    return rows.map((r) => r.agency);
  }

  /** Deliveries whose next attempt is due, locked so that two broker instances do not both resend. */
  async due(now: Date, limit: number, tx: EntityManager): Promise<OutcomeDeliveryEntity[]> {
    return tx
      .getRepository(OutcomeDeliveryEntity)
      .createQueryBuilder('d')
      .where("d.status = 'pending' AND d.next_attempt_at <= :now", { now })
      .orderBy('d.next_attempt_at', 'ASC')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async updateDelivery(
    outcomeId: string,
    agency: string,
    patch: Partial<OutcomeDeliveryEntity>,
    tx: EntityManager,
  ): Promise<void> {
    await tx.getRepository(OutcomeDeliveryEntity).update({ outcomeId, agency }, patch);
  }

  async delivery(
    outcomeId: string,
    agency: string,
    tx?: EntityManager,
  ): Promise<OutcomeDeliveryEntity | null> {
    return this.m(tx)
      .getRepository(OutcomeDeliveryEntity)
      .findOne({ where: { outcomeId, agency } });
  }

  /** Marks a delivery delivered once; returns whether this call did it. */
  async markDelivered(
    outcomeId: string,
    agency: string,
    at: Date,
    tx: EntityManager,
  ): Promise<boolean> {
    const result = await tx
      .getRepository(OutcomeDeliveryEntity)
      .createQueryBuilder()
      .update()
      .set({ status: 'delivered', deliveredAt: at, lastError: null })
      .where("outcome_id = :outcomeId AND agency = :agency AND status = 'pending'", {
        outcomeId,
        agency,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }
}
