import { Injectable } from '@nestjs/common';
import { Gauge, type Counter, type Histogram } from 'prom-client';
import { ServiceMetrics } from '@mash/common';

/** Broker metrics. Labels are codes, agencies and statuses only: never personal data or ids. */
@Injectable()
export class BrokerMetrics extends ServiceMetrics {
  readonly authFailures: Counter<string>;
  readonly authzFailures: Counter<string>;
  readonly decisions: Counter<string>;
  readonly dispatched: Counter<string>;
  readonly answers: Counter<string>;
  readonly answersRejected: Counter<string>;
  readonly deadLettered: Counter<string>;
  readonly queryLatency: Histogram<string>;
  readonly answerBatch: Histogram<string>;
  readonly casesByDeadline: Gauge<string>;
  readonly outboxPending: Gauge<string>;
  /** How `mash_outbox_pending` is counted at a scrape; set by the outbox. */
  countOutboxPending: (() => Promise<number>) | undefined;
  readonly queriesRefused: Counter<string>;
  readonly heartbeatsRefused: Counter<string>;
  readonly agencyUnavailable: Counter<string>;
  readonly partsTimedOut: Counter<string>;

  constructor() {
    super('broker');
    this.authFailures = this.counter(
      'mash_auth_failures_total',
      'Failed authentications, by code',
      ['code'],
    );
    this.authzFailures = this.counter(
      'mash_authz_failures_total',
      'Refused authorisations, by code',
      ['code'],
    );
    this.decisions = this.counter('mash_policy_decisions_total', 'Policy decisions', [
      'agency',
      'decision',
    ]);
    this.dispatched = this.counter('mash_requests_dispatched_total', 'Requests sent to agencies', [
      'agency',
    ]);
    this.answers = this.counter('mash_answers_total', 'Agency answers accepted, by status', [
      'agency',
      'status',
    ]);
    this.answersRejected = this.counter(
      'mash_answers_rejected_total',
      'Agency answers refused, by code',
      ['code'],
    );
    this.deadLettered = this.counter(
      'mash_broker_dead_lettered_total',
      'Malformed messages sent to a DLQ',
      ['topic'],
    );
    this.queryLatency = this.histogram(
      'mash_agency_answer_seconds',
      'Time from dispatch to an accepted answer',
      ['agency'],
      [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    );
    this.answerBatch = this.histogram(
      'mash_answer_batch_size',
      'Agency answers stored per transaction (answers arriving together are stored together)',
      [],
      [1, 2, 4, 8, 16, 32, 64],
    );
    this.casesByDeadline = this.gauge(
      'mash_cases_open',
      'Open cases by RAG and whether past their deadline',
      ['rag', 'deadline'],
    );
    // Counted when scraped (the outbox says how), not after every relay pass; a count that fails
    // leaves the last value.
    this.outboxPending = new Gauge({
      name: 'mash_outbox_pending',
      help: 'Outbox messages not yet published',
      registers: [this.registry],
      collect: async () => {
        const pending = await this.countOutboxPending?.().catch(() => undefined);
        if (pending !== undefined) this.outboxPending.set(pending);
      },
    });
    this.queriesRefused = this.counter(
      'mash_queries_refused_total',
      'Queries refused by admission control, by the case RAG rating and the bound that refused them (broker-full: every creation place taken, before the case is read; broker-busy: the event loop too busy for amber and green; agency-capacity: an agency could not answer within the deadline)',
      ['rag', 'reason'],
    );
    this.heartbeatsRefused = this.counter(
      'mash_agency_heartbeats_refused_total',
      'Adapter heartbeats refused (not signed by the agency, or on another agency topic)',
      ['agency'],
    );
    this.agencyUnavailable = this.counter(
      'mash_query_agency_unavailable_total',
      'Query parts settled at once because the adapter of the agency was known down',
      ['agency'],
    );
    this.partsTimedOut = this.counter(
      'mash_query_parts_timed_out_total',
      'Query parts that no answer reached by the deadline of the query',
      ['agency'],
    );
  }
}
