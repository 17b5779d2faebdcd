import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import {
  CaseActionBodyV1,
  CaseActionV1,
  Topics,
  deadLetterRecord,
  parseMessage,
  type Agency,
  type CaseActionAcknowledgedV1,
  kafkaRecord,
} from '@mash/contracts';
import { TrustError, openSigned, type ServiceKeys } from '@mash/trust';
import type { SourceConnector } from './connector';
import { ActionInboxEntry } from './ledger';
import type { Publisher } from './publisher';
import type { AdapterMetrics } from './metrics';
import type { IncomingMessage } from './processor';

/**
 * Records an action a MASH meeting gave this agency exactly once (inbox keyed by action id) and
 * acknowledges it, as `OutcomeProcessor` does for outcomes: a redelivered action is acknowledged
 * again but not recorded twice; only an action the broker signed, for this envelope, is recorded;
 * nothing here throws (what cannot be recorded is dead-lettered and not acknowledged, so the
 * broker sends it again later).
 */
export class ActionProcessor {
  private readonly logger = new Logger('Actions');

  constructor(
    private readonly agency: Agency,
    private readonly connector: SourceConnector,
    private readonly keys: ServiceKeys,
    private readonly dataSource: DataSource,
    private readonly publisher: Publisher,
    private readonly metrics: AdapterMetrics,
    private readonly brokerKeys: JWTVerifyGetKey,
  ) {}

  async process(message: IncomingMessage): Promise<'recorded' | 'duplicate' | 'dead-lettered'> {
    const parsed = parseMessage(CaseActionV1, message.value);
    if (!parsed.ok || parsed.value.agency !== this.agency) {
      await this.deadLetter(message, parsed.ok ? 'action for another agency' : parsed.reason);
      return 'dead-lettered';
    }
    const envelope = parsed.value;
    let body: CaseActionBodyV1;
    try {
      const opened = await openSigned<unknown>(envelope.body, this.keys, this.brokerKeys);
      const valid = CaseActionBodyV1.safeParse(opened.payload);
      if (!valid.success) throw new TrustError('ACTION.MALFORMED', 'action content is not valid');
      body = valid.data;
    } catch (error) {
      await this.deadLetter(
        message,
        error instanceof TrustError ? error.code : 'ACTION.UNVERIFIABLE',
      );
      return 'dead-lettered';
    }
    if (
      body.actionId !== envelope.actionId ||
      body.meetingId !== envelope.meetingId ||
      body.caseId !== envelope.caseId ||
      body.partnership !== envelope.partnership ||
      body.agency !== this.agency
    ) {
      await this.deadLetter(message, 'ACTION.ENVELOPE_MISMATCH');
      return 'dead-lettered';
    }
    let recorded: boolean;
    try {
      recorded = await this.record(body);
    } catch (error) {
      this.logger.warn(
        `action could not be recorded (${error instanceof Error ? error.name : 'error'}); the broker will send it again`,
      );
      await this.deadLetter(message, 'ACTION.NOT_RECORDED');
      return 'dead-lettered';
    }
    return this.acknowledge(envelope, recorded);
  }

  private async record(body: CaseActionBodyV1): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .insert()
        .into(ActionInboxEntry)
        .values({
          actionId: body.actionId,
          meetingId: body.meetingId,
          caseId: body.caseId,
          dueAt: new Date(body.dueAt),
        })
        .orIgnore()
        .execute();
      if ((result.raw as unknown[]).length === 0) return false;
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
    });
  }

  private async acknowledge(
    envelope: CaseActionV1,
    recorded: boolean,
  ): Promise<'recorded' | 'duplicate'> {
    if (recorded) this.metrics.actions.inc();
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
    const { topic, ...record } = kafkaRecord(
      Topics.caseActionAcknowledged(this.agency),
      envelope.caseId,
      ack,
      { correlationId: envelope.actionId },
    );
    await this.publisher.publish(topic, record);
    return recorded ? 'recorded' : 'duplicate';
  }

  private async deadLetter(message: IncomingMessage, reason: string): Promise<void> {
    this.metrics.deadLettered.inc();
    const { topic, ...record } = deadLetterRecord(message, reason, randomUUID);
    await this.publisher.publish(topic, record);
  }
}
