import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '@mash/common';
import type { Tx } from '../common/transactions';
import { ThresholdPublicationEntity, ThresholdVersionEntity } from './threshold.entity';

/** The partnerships' threshold matrix versions and their publication choice. */
@Injectable()
export class ThresholdRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private versions(tx?: Tx) {
    return (tx ?? this.dataSource.manager).getRepository(ThresholdVersionEntity);
  }

  private publications(tx?: Tx) {
    return (tx ?? this.dataSource.manager).getRepository(ThresholdPublicationEntity);
  }

  /** Every version of a partnership, newest first. */
  list(partnership: string, tx?: Tx): Promise<ThresholdVersionEntity[]> {
    return this.versions(tx).find({ where: { partnership }, order: { version: 'DESC' } });
  }

  /** Active versions, of one partnership or of all (to build the in-memory view at boot). */
  active(partnership?: string, tx?: Tx): Promise<ThresholdVersionEntity[]> {
    return this.versions(tx).find({
      where: partnership ? { partnership, status: 'active' } : { status: 'active' },
      order: { partnership: 'ASC', version: 'DESC' },
    });
  }

  async get(
    partnership: string,
    version: number,
    tx?: Tx,
    forUpdate = false,
  ): Promise<ThresholdVersionEntity> {
    const row = await this.versions(tx).findOne({
      where: { partnership, version },
      ...(forUpdate && tx ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw new NotFoundError('threshold');
    return row;
  }

  /**
   * Serialises changes to one partnership's versions until the transaction ends: two requests
   * may both find it has no version, or both pick the next version number.
   */
  async lockPartnership(partnership: string, tx: Tx): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`thresholds:${partnership}`]);
  }

  async count(partnership: string, tx?: Tx): Promise<number> {
    return this.versions(tx).countBy({ partnership });
  }

  async insert(row: Partial<ThresholdVersionEntity>, tx: Tx): Promise<void> {
    await this.versions(tx).insert(row);
  }

  /**
   * Inserts the rows whose version is above every stored version of the partnership (all of
   * them when it has none); returns those written.
   */
  async insertNewer<T extends Partial<ThresholdVersionEntity> & { version: number }>(
    partnership: string,
    rows: T[],
    tx: Tx,
  ): Promise<T[]> {
    await this.lockPartnership(partnership, tx);
    const latest = (await this.list(partnership, tx))[0]?.version ?? 0;
    const newer = rows.filter((r) => r.version > latest);
    if (newer.length > 0) await this.versions(tx).insert(newer);
    return newer;
  }

  async activate(
    partnership: string,
    version: number,
    patch: Pick<
      ThresholdVersionEntity,
      'activatedBy' | 'activatedAt' | 'effectiveFrom' | 'content' | 'hash'
    >,
    tx: Tx,
  ): Promise<void> {
    await this.versions(tx).update({ partnership, version }, { ...patch, status: 'active' });
  }

  async published(partnership: string, tx?: Tx): Promise<boolean> {
    return (await this.publications(tx).findOneBy({ partnership }))?.published ?? false;
  }

  async setPublished(row: ThresholdPublicationEntity, tx: Tx): Promise<void> {
    await this.publications(tx).upsert(row, ['partnership']);
  }
}
