import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Logger } from '@nestjs/common';
import {
  CaseOutcomeBodyV1,
  CaseOutcomeV1,
  Topics,
  kafkaRecord,
  type CaseOutcomeAcknowledgedV1,
  type WireRecord,
} from '@mash/contracts';
import { OutcomeInboxEntry } from './ledger';
import { SignedDeliveryProcessor } from './signed-delivery';

/**
 * Records a MASH outcome in the agency's source system exactly once (inbox keyed by outcome id)
 * and acknowledges it, as `SignedDeliveryProcessor` describes.
 */
export class OutcomeProcessor extends SignedDeliveryProcessor<CaseOutcomeV1, CaseOutcomeBodyV1> {
  protected readonly what = 'outcome';
  protected readonly logger = new Logger('Outcomes');
  protected readonly envelopeSchema = CaseOutcomeV1;
  protected readonly bodySchema = CaseOutcomeBodyV1;
  protected readonly recordedCount = this.metrics.outcomes;

  protected sameIds(outcome: CaseOutcomeV1, body: CaseOutcomeBodyV1): boolean {
    return body.outcomeId === outcome.outcomeId;
  }

  protected async record(
    manager: EntityManager,
    outcome: CaseOutcomeV1,
    body: CaseOutcomeBodyV1,
  ): Promise<boolean> {
    const entry = { outcomeId: outcome.outcomeId, caseId: outcome.caseId };
    if (!(await this.insertOnce(manager, OutcomeInboxEntry, entry))) return false;
    await this.connector.recordOutcome?.({
      outcomeId: outcome.outcomeId,
      caseRef: outcome.caseId,
      subjectRef: body.subjectRef,
      outcome: body.outcome,
      decidedAt: body.decidedAt,
    });
    return true;
  }

  protected acknowledgement(outcome: CaseOutcomeV1): WireRecord {
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
    return kafkaRecord(Topics.caseOutcomeAcknowledged(this.agency), outcome.caseId, ack, {
      correlationId: outcome.outcomeId,
    });
  }
}
