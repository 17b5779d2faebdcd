import { ServiceMetrics } from '@mash/common';
import type { Counter } from 'prom-client';

export class AdapterMetrics extends ServiceMetrics {
  readonly requests: Counter<string>;
  readonly rejections: Counter<string>;
  readonly deadLettered: Counter<string>;
  readonly sourceErrors: Counter<string>;
  readonly outcomes: Counter<string>;
  readonly actions: Counter<string>;

  constructor(service: string) {
    super(service);
    this.requests = this.counter(
      'mash_adapter_requests_total',
      'Query requests answered, by status',
      ['outcome'],
    );
    this.rejections = this.counter(
      'mash_adapter_rejections_total',
      'Requests refused before the source was read',
      ['code'],
    );
    this.deadLettered = this.counter(
      'mash_adapter_dead_lettered_total',
      'Malformed messages sent to the DLQ',
    );
    this.sourceErrors = this.counter('mash_adapter_source_errors_total', 'Source system failures');
    this.outcomes = this.counter(
      'mash_adapter_outcomes_recorded_total',
      'Case outcomes recorded in the source',
    );
    this.actions = this.counter(
      'mash_adapter_actions_recorded_total',
      'Actions from MASH meetings recorded',
    );
  }
}
