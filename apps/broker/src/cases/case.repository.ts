import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { NotFoundError } from '@mash/common';
import { CaseEntity } from './case.entity';
import type { CaseListQuery } from './case.dto';

/**
 * Cases, always within one partnership: every method takes the partnership, so a case of
 * another partnership is indistinguishable from a missing one (404).
 */
@Injectable()
export class CaseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(tx?: EntityManager) {
    return (tx ?? this.dataSource.manager).getRepository(CaseEntity);
  }

  async insert(entity: CaseEntity, tx?: EntityManager): Promise<void> {
    await this.repo(tx).insert(entity);
  }

  async get(
    partnership: string,
    id: string,
    tx?: EntityManager,
    lock = false,
  ): Promise<CaseEntity> {
    const qb = this.repo(tx)
      .createQueryBuilder('c')
      .where('c.id = :id AND c.partnership = :partnership', { id, partnership });
    if (lock) qb.setLock('pessimistic_write');
    const found = await qb.getOne();
    if (!found) throw new NotFoundError('case');
    return found;
  }

  async list(
    partnership: string,
    filter: CaseListQuery,
    now: Date,
    /** Only cases this agency was asked about (a permitted query part): a representative's list. */
    askedAgency?: string,
  ): Promise<{ items: CaseEntity[]; total: number }> {
    const qb = this.repo()
      .createQueryBuilder('c')
      .where('c.partnership = :partnership', { partnership });
    if (askedAgency)
      qb.andWhere(
        `EXISTS (SELECT 1 FROM federated_query q JOIN federated_query_agency a ON a.query_id = q.id
          WHERE q.case_id = c.id AND q.partnership = c.partnership AND a.agency = :askedAgency
            AND a.decision = 'permit')`,
        { askedAgency },
      );
    if (filter.status) qb.andWhere('c.status = :status', { status: filter.status });
    if (filter.rag) qb.andWhere('c.rag = :rag', { rag: filter.rag });
    if (filter.overdue === 'true') qb.andWhere("c.status = 'open' AND c.due_at < :now", { now });
    if (filter.overdue === 'false')
      qb.andWhere("(c.due_at IS NULL OR c.due_at >= :now OR c.status <> 'open')", { now });
    // Most urgent first: earliest deadline, then newest referral.
    qb.orderBy('c.due_at', 'ASC', 'NULLS LAST')
      .addOrderBy('c.received_at', 'DESC')
      .skip(filter.offset)
      .take(filter.limit);
    const [items, total] = await qb.getManyAndCount();
    return { items, total };
  }

  async update(
    partnership: string,
    id: string,
    patch: Partial<CaseEntity>,
    tx?: EntityManager,
  ): Promise<void> {
    await this.repo(tx).update({ id, partnership }, patch);
  }
}
