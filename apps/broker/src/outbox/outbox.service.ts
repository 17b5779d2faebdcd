import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { SpanKind, inSpan, injectTraceContext, traceContextOf } from '@mash/tracing';
import { KafkaProducer, type KafkaRecord } from '../kafka/kafka.producer';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { Transactions, type Tx } from '../common/transactions';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { OutboxRepository } from './outbox.repository';

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
  /** Configured off (OUTBOX_RELAY_DISABLED=1): messages wait in the table, unpublished. */
  private readonly paused: boolean;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly transactions: Transactions,
    private readonly producer: KafkaProducer,
    private readonly metrics: BrokerMetrics,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
  ) {
    this.paused = config.outboxRelayDisabled;
  }

  async enqueue(tx: Tx, records: KafkaRecord[], availableAt?: Date): Promise<void> {
    if (records.length === 0) return;
    // The request's trace context waits in the row with the message, so the relay's publish
    // (later, on another path) continues the trace that caused it.
    const traced = records.map((r) => ({ ...r, headers: injectTraceContext({ ...r.headers }) }));
    await this.outbox.insert(tx, traced, availableAt ?? new Date());
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
      const sent = await this.transactions.run(async (tx) => {
        const rows = await this.outbox.claim(tx, BATCH);
        // The batch's sends go together: on a replicated cluster each waits for its acks=all
        // (a round to the followers), and one at a time that capped the relay at a few messages
        // a second (the cluster drill, docs/operations.md). A row is removed only once every send
        // of its batch succeeded; a failed pass publishes the batch again, which consumers dedupe.
        await Promise.all(
          rows.map((row) =>
            inSpan(
              `${row.topic} publish`,
              {
                kind: SpanKind.PRODUCER,
                parent: traceContextOf(row.headers),
                attributes: {
                  'messaging.system': 'kafka',
                  'messaging.destination.name': row.topic,
                },
              },
              () =>
                this.producer.send({
                  topic: row.topic,
                  key: row.key,
                  value: row.value,
                  headers: injectTraceContext({ ...row.headers }),
                }),
            ),
          ),
        );
        for (const row of rows) await this.outbox.remove(tx, row);
        return rows.length;
      });
      total += sent;
      if (sent < BATCH || this.stopped || this.paused) break;
    }
    const pending = await this.outbox.countPending().catch(() => 0);
    this.metrics.outboxPending.set(pending);
    return total;
  }
}
