import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  CaseOutcomeV1,
  Headers,
  Topics,
  parseMessage,
  type Agency,
  type CaseOutcomeAcknowledgedV1,
} from '@mash/contracts';
import { TrustError, decryptJson, type ServiceKeys } from '@mash/trust';
import type { SourceConnector } from './connector';
import { OutcomeInboxEntry } from './ledger';
import type { Publisher } from './publisher';
import type { AdapterMetrics } from './metrics';
import type { IncomingMessage } from './processor';

interface OutcomeBody {
  outcome: string;
  decidedAt: string;
  subjectRef?: string;
}

/**
 * Records a MASH outcome in the agency's source system exactly once (inbox keyed by outcome id)
 * and acknowledges it; a redelivered outcome is acknowledged again but not recorded twice.
 */
export class OutcomeProcessor {
  constructor(
    private readonly agency: Agency,
    private readonly connector: SourceConnector,
    private readonly keys: ServiceKeys,
    private readonly dataSource: DataSource,
    private readonly publisher: Publisher,
    private readonly metrics: AdapterMetrics,
  ) {}

  async process(message: IncomingMessage): Promise<'recorded' | 'duplicate' | 'dead-lettered'> {
    const parsed = parseMessage(CaseOutcomeV1, message.value);
    if (!parsed.ok || parsed.value.agency !== this.agency) {
      await this.deadLetter(message, parsed.ok ? 'outcome for another agency' : parsed.reason);
      return 'dead-lettered';
    }
    const outcome = parsed.value;
    let body: OutcomeBody;
    try {
      body = await decryptJson<OutcomeBody>(outcome.body, this.keys);
    } catch (error) {
      await this.deadLetter(message, error instanceof TrustError ? error.code : 'undecryptable');
      return 'dead-lettered';
    }
    const recorded = await this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(OutcomeInboxEntry)
        .values({ outcomeId: outcome.outcomeId, caseId: outcome.caseId })
        .orIgnore()
        .execute();
      if ((result.raw as unknown[]).length === 0) return false;
      await this.connector.recordOutcome?.({
        outcomeId: outcome.outcomeId,
        caseRef: outcome.caseId,
        subjectRef: body.subjectRef,
        outcome: body.outcome,
        decidedAt: body.decidedAt,
      });
      return true;
    });
    if (recorded) this.metrics.outcomes.inc();
    const ack: CaseOutcomeAcknowledgedV1 = {
      type: 'case.outcome.acknowledged',
      version: 1,
      messageId: randomUUID(),
      outcomeId: outcome.outcomeId,
      caseId: outcome.caseId,
      partnership: outcome.partnership,
      agency: this.agency,
      recordedAt: new Date().toISOString(),
    };
    await this.publisher.publish(Topics.caseOutcomeAcknowledged(this.agency), {
      key: outcome.caseId,
      value: JSON.stringify(ack),
      headers: {
        [Headers.correlationId]: outcome.outcomeId,
        [Headers.messageId]: ack.messageId,
        [Headers.messageType]: ack.type,
        [Headers.schemaVersion]: '1',
      },
    });
    return recorded ? 'recorded' : 'duplicate';
  }

  private async deadLetter(message: IncomingMessage, reason: string): Promise<void> {
    this.metrics.deadLettered.inc();
    await this.publisher.publish(Topics.deadLetter(message.topic), {
      key: message.headers[Headers.correlationId] ?? randomUUID(),
      value: message.value?.toString('utf8') ?? '',
      headers: { [Headers.dlqReason]: reason, [Headers.dlqSourceTopic]: message.topic },
    });
  }
}
