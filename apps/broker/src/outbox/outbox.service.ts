import { Inject, Injectable } from '@nestjs/common';
import { SpanKind, inSpan, injectTraceContext, traceContextOf } from '@mash/tracing';
import { KafkaProducer, type KafkaRecord } from '../kafka/kafka.producer';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { Transactions, type Tx } from '../common/transactions';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { IntervalJob } from '../common/interval-job';
import type { OutboxMessageEntity } from './outbox.entity';
import { OutboxRepository } from './outbox.repository';

const BATCH = 100;

/**
 * Transactional outbox: `enqueue` inside the caller's transaction; the relay (the job
 * `outbox.relay`) publishes after commit (kicked at once, and polled as a safety net) and deletes
 * the rows it published. A crash between commit and publish means the row is published on
 * restart: at-least-once, so consumers are idempotent by message or outcome id.
 */
@Injectable()
export class OutboxService extends IntervalJob<number> {
  /** A kick came while a pass ran: the pass runs once more, so nothing waits for the poll. */
  private again = false;
  private stopped = false;
  /** The pass under way, which shutdown waits for. */
  private pass: Promise<unknown> = Promise.resolve();
  /** Configured off (OUTBOX_RELAY_DISABLED=1): messages wait in the table, unpublished. */
  private readonly paused: boolean;

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly transactions: Transactions,
    private readonly producer: KafkaProducer,
    private readonly metrics: BrokerMetrics,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
  ) {
    super('outbox.relay', 500, 0, true);
    this.paused = config.outboxRelayDisabled;
    metrics.countOutboxPending = () => this.outbox.countPending();
  }

  async enqueue(tx: Tx, records: KafkaRecord[], availableAt?: Date): Promise<void> {
    if (records.length === 0) return;
    // The request's trace context waits in the row with the message, so the relay's publish
    // (later, on another path) continues the trace that caused it.
    const traced = records.map((r) => ({ ...r, headers: injectTraceContext({ ...r.headers }) }));
    await this.outbox.insert(tx, traced, availableAt ?? new Date());
  }

  override async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    super.onApplicationShutdown();
    await this.pass;
  }

  /** Publish whatever is due, now. Concurrent kicks coalesce into one more pass. */
  kick(): void {
    if (this.stopped || this.paused) return;
    this.again = true;
    void this.tick();
  }

  /** One relay pass, repeated while kicks came during it. */
  protected run(): Promise<number> {
    const pass = this.relay();
    this.pass = pass.catch(() => undefined);
    return pass;
  }

  private async relay(): Promise<number> {
    let total = 0;
    // A pass of the interval's own (not kicked after a commit) usually finds nothing: it asks
    // first in one statement, rather than open a transaction to claim nothing. A kick while it
    // asks still gets its pass (`continue` goes to the loop's test).
    let look = !this.again;
    do {
      this.again = false;
      if (this.stopped || this.paused) break;
      if (look) {
        look = false;
        if (!(await this.outbox.hasDue())) continue;
      }
      total += await this.drain();
    } while (this.again);
    return total;
  }

  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const sent = await this.transactions.run(async (tx) => {
        const rows = await this.outbox.claim(tx, BATCH);
        // The batch's records are all in flight at once: on a replicated cluster each waits for
        // its acks=all (a round to the followers), and one record after another capped the relay
        // at a few messages a second (the cluster drill, docs/operations.md). A row is removed
        // only once the whole batch was sent; a failed pass publishes the batch again, which
        // consumers dedupe.
        await this.publish(rows);
        await this.outbox.removeMany(
          tx,
          rows.map((row) => row.id),
        );
        return rows.length;
      });
      total += sent;
      if (sent < BATCH || this.stopped || this.paused) break;
    }
    return total;
  }

  /**
   * Publishes the rows in one batch, each in a producer span of its own (child of the trace that
   * enqueued it, and named in the headers it carries), ended when the batch is sent.
   */
  private async publish(rows: OutboxMessageEntity[]): Promise<void> {
    const records: KafkaRecord[] = [];
    let settle!: (error?: unknown) => void;
    const sent = new Promise<void>((resolve, reject) => {
      settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // Each span's function runs at once up to its await, so `records` is full after the map.
    const spans = rows.map((row) =>
      inSpan(
        `${row.topic} publish`,
        {
          kind: SpanKind.PRODUCER,
          parent: traceContextOf(row.headers),
          attributes: { 'messaging.system': 'kafka', 'messaging.destination.name': row.topic },
        },
        async () => {
          records.push({ ...row, headers: injectTraceContext({ ...row.headers }) });
          await sent;
        },
      ),
    );
    try {
      await this.producer.sendMany(records);
      settle();
    } catch (error) {
      settle(error ?? new Error('send failed'));
    }
    await Promise.all(spans);
  }
}
