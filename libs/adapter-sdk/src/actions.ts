import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Logger } from '@nestjs/common';
import {
  CaseActionBodyV1,
  CaseActionV1,
  Topics,
  kafkaRecord,
  type CaseActionAcknowledgedV1,
  type WireRecord,
} from '@mash/contracts';
import { ActionInboxEntry } from './ledger';
import { SignedDeliveryProcessor } from './signed-delivery';

/**
 * Records an action a MASH meeting gave this agency exactly once (inbox keyed by action id) and
 * acknowledges it, as `SignedDeliveryProcessor` describes.
 */
export class ActionProcessor extends SignedDeliveryProcessor<CaseActionV1, CaseActionBodyV1> {
  protected readonly what = 'action';
  protected readonly logger = new Logger('Actions');
  protected readonly envelopeSchema = CaseActionV1;
  protected readonly bodySchema = CaseActionBodyV1;
  protected readonly recordedCount = this.metrics.actions;

  protected sameIds(envelope: CaseActionV1, body: CaseActionBodyV1): boolean {
    return body.actionId === envelope.actionId && body.meetingId === envelope.meetingId;
  }

  protected async record(
    manager: EntityManager,
    _envelope: CaseActionV1,
    body: CaseActionBodyV1,
  ): Promise<boolean> {
    const entry = {
      actionId: body.actionId,
      meetingId: body.meetingId,
      caseId: body.caseId,
      dueAt: new Date(body.dueAt),
    };
    if (!(await this.insertOnce(manager, ActionInboxEntry, entry))) return false;
    await this.connector.recordAction?.({
      actionId: body.actionId,
      meetingId: body.meetingId,
      caseRef: body.caseId,
      meetingKind: body.meetingKind,
      action: body.action,
      dueAt: body.dueAt,
      decidedAt: body.decidedAt,
    });
    return true;
  }

  protected acknowledgement(envelope: CaseActionV1): WireRecord {
    const ack: CaseActionAcknowledgedV1 = {
      type: 'case.action.acknowledged',
      version: 1,
      messageId: randomUUID(),
      actionId: envelope.actionId,
      caseId: envelope.caseId,
      partnership: envelope.partnership,
      agency: this.agency,
      recordedAt: new Date().toISOString(),
    };
    return kafkaRecord(Topics.caseActionAcknowledged(this.agency), envelope.caseId, ack, {
      correlationId: envelope.actionId,
    });
  }
}
