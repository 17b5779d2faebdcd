import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { In, IsNull, type DataSource } from 'typeorm';
import type { Tx } from '../common/transactions';
import type { KafkaRecord } from '../kafka/kafka.producer';
import { OutboxMessageEntity } from './outbox.entity';

/** The transactional outbox table. */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(tx: Tx, records: KafkaRecord[], availableAt: Date): Promise<void> {
    await tx.getRepository(OutboxMessageEntity).insert(
      records.map((r) => ({
        topic: r.topic,
        key: r.key,
        value: r.value,
        headers: r.headers,
        availableAt,
      })),
    );
  }

  /**
   * The next unpublished rows that are due, oldest first, locked for this transaction. SKIP
   * LOCKED lets several broker instances relay without publishing a row twice at once.
   */
  claim(tx: Tx, limit: number): Promise<OutboxMessageEntity[]> {
    return tx
      .getRepository(OutboxMessageEntity)
      .createQueryBuilder('o')
      .where('o.published_at IS NULL AND o.available_at <= now()')
      .orderBy('o.id')
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  /**
   * Deleted once published: a request carries a child's sealed criteria and must not outlive the
   * case's retention in this table.
   */
  async removeMany(tx: Tx, ids: readonly OutboxMessageEntity['id'][]): Promise<void> {
    if (ids.length > 0) await tx.delete(OutboxMessageEntity, { id: In([...ids]) });
  }

  /** Whether any row is due for publishing, without locking anything. */
  async hasDue(): Promise<boolean> {
    const [row] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM outbox_message
                       WHERE published_at IS NULL AND available_at <= now()) AS due`,
    )) as Array<{ due: boolean }>;
    return row.due;
  }

  countPending(): Promise<number> {
    return this.dataSource
      .getRepository(OutboxMessageEntity)
      .count({ where: { publishedAt: IsNull() } });
  }
}
