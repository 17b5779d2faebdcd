import {
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsNull, type DataSource, type EntityManager } from 'typeorm';
import { KafkaProducer, type KafkaRecord } from '../kafka/kafka.producer';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { OutboxMessageEntity } from './outbox.entity';

const BATCH = 100;

/**
 * Transactional outbox: `enqueue` inside the caller's transaction; the relay publishes after
 * commit (kicked at once, and polled as a safety net) and deletes the rows it published. A crash between
 * commit and publish means the row is published on restart: at-least-once, so consumers are
 * idempotent by message or outcome id.
 */
@Injectable()
export class OutboxService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Outbox');
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  /** Test hook: when set, the relay does not publish (simulates a crash after commit). */
  paused = process.env.OUTBOX_RELAY_DISABLED === '1';

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: KafkaProducer,
    private readonly metrics: BrokerMetrics,
  ) {}

  async enqueue(manager: EntityManager, records: KafkaRecord[], availableAt?: Date): Promise<void> {
    if (records.length === 0) return;
    await manager.getRepository(OutboxMessageEntity).insert(
      records.map((r) => ({
        topic: r.topic,
        key: r.key,
        value: r.value,
        headers: r.headers,
        availableAt: availableAt ?? new Date(),
      })),
    );
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), 500);
    this.timer.unref();
    this.kick();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Publish whatever is due, now. Concurrent kicks coalesce into one more pass. */
  kick(): void {
    if (this.stopped || this.paused) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.drain()
      .then(() => undefined)
      .catch((error: unknown) =>
        this.logger.warn(`relay pass failed: ${error instanceof Error ? error.name : 'error'}`),
      )
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      // SKIP LOCKED lets several broker instances relay without publishing a row twice at once.
      const sent = await this.dataSource.transaction(async (manager) => {
        const rows: OutboxMessageEntity[] = await manager
          .getRepository(OutboxMessageEntity)
          .createQueryBuilder('o')
          .where('o.published_at IS NULL AND o.available_at <= now()')
          .orderBy('o.id')
          .limit(BATCH)
          .setLock('pessimistic_write')
          .setOnLocked('skip_locked')
          .getMany();
        for (const row of rows) {
          await this.producer.send({
            topic: row.topic,
            key: row.key,
            value: row.value,
            headers: row.headers,
          });
          // Deleted once published: a request carries a child's sealed criteria and must not
          // outlive the case's retention in this table.
          await manager.delete(OutboxMessageEntity, { id: row.id });
        }
        return rows.length;
      });
      total += sent;
      if (sent < BATCH || this.stopped || this.paused) break;
    }
    const pending = await this.dataSource
      .getRepository(OutboxMessageEntity)
      .count({ where: { publishedAt: IsNull() } })
      .catch(() => 0);
    this.metrics.outboxPending.set(pending);
    return total;
  }
}
