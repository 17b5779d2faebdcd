import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Not, type DataSource, type EntityManager } from 'typeorm';
import { NotFoundError } from '@mash/common';
import type { AgreementVersion } from '@mash/policy';
import { AgreementVersionEntity } from './agreement.entity';

@Injectable()
export class AgreementRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private repo(tx?: EntityManager) {
    return (tx ?? this.dataSource.manager).getRepository(AgreementVersionEntity);
  }

  /** Versions as the engine sees them: content with the current lifecycle status. */
  async forDecision(partnership: string, tx?: EntityManager): Promise<AgreementVersion[]> {
    const rows = await this.repo(tx).find({ where: { partnership } });
    return rows.map((r) => ({ ...r.content, status: r.status }));
  }

  async list(partnership: string): Promise<AgreementVersionEntity[]> {
    return this.repo().find({
      where: { partnership },
      order: { agency: 'ASC', agreementId: 'ASC', version: 'DESC' },
    });
  }

  async versions(
    partnership: string,
    agreementId: string,
    tx?: EntityManager,
  ): Promise<AgreementVersionEntity[]> {
    const rows = await this.repo(tx).find({
      where: { partnership, agreementId },
      order: { version: 'DESC' },
    });
    if (rows.length === 0) throw new NotFoundError('agreement');
    return rows;
  }

  async get(
    partnership: string,
    agreementId: string,
    version: number,
    tx?: EntityManager,
    forUpdate = false,
  ): Promise<AgreementVersionEntity> {
    const row = await this.repo(tx).findOne({
      where: { partnership, agreementId, version },
      ...(forUpdate && tx ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw new NotFoundError('agreement');
    return row;
  }

  async insert(row: Partial<AgreementVersionEntity>, tx?: EntityManager): Promise<void> {
    await this.repo(tx).insert(row);
  }

  async update(
    partnership: string,
    agreementId: string,
    version: number,
    patch: Partial<AgreementVersionEntity>,
    tx?: EntityManager,
  ): Promise<void> {
    await this.repo(tx).update({ partnership, agreementId, version }, patch);
  }

  /** Every version's lifecycle outside drafts, across partnerships (announced to adapters at boot). */
  async allNonDraft(tx?: EntityManager): Promise<AgreementVersionEntity[]> {
    return this.repo(tx).find({
      where: { status: Not('draft') },
      order: { agreementId: 'ASC', version: 'ASC' },
    });
  }

  /** Marks the other active versions of an agreement expired; returns them as they now are. */
  async expireOtherActive(
    partnership: string,
    agreementId: string,
    keep: number,
    tx: EntityManager,
  ): Promise<AgreementVersionEntity[]> {
    const others = await this.repo(tx).find({
      where: { partnership, agreementId, status: 'active', version: Not(keep) },
    });
    if (others.length === 0) return [];
    await this.repo(tx).update(
      { partnership, agreementId, status: 'active', version: Not(keep) },
      { status: 'expired' },
    );
    return others.map((r) => Object.assign(r, { status: 'expired' as const }));
  }

  async anyVersion(agreementId: string): Promise<AgreementVersionEntity | null> {
    return this.repo().findOne({ where: { agreementId }, order: { version: 'ASC' } });
  }

  async exists(agreementId: string, version: number, tx?: EntityManager): Promise<boolean> {
    return (await this.repo(tx).countBy({ agreementId, version })) > 0;
  }

  /**
   * Serialises imports of the agreement files across broker instances until the transaction
   * ends: two instances starting together would otherwise both find a version missing and both
   * insert it (the second failing its start on the primary key).
   */
  async lockImports(tx: EntityManager): Promise<void> {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('mash.agreements.import'))`);
  }
}
