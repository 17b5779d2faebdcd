import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { Logger } from '@nestjs/common';
import type { JWTVerifyGetKey } from 'jose';
import {
  CaseOutcomeBodyV1,
  CaseOutcomeV1,
  Topics,
  deadLetterRecord,
  parseMessage,
  type Agency,
  type CaseOutcomeAcknowledgedV1,
  kafkaRecord,
} from '@mash/contracts';
import { TrustError, openSigned, type ServiceKeys } from '@mash/trust';
import type { SourceConnector } from './connector';
import { OutcomeInboxEntry } from './ledger';
import type { Publisher } from './publisher';
import type { AdapterMetrics } from './metrics';
import type { IncomingMessage } from './processor';

/**
 * Records a MASH outcome in the agency's source system exactly once (inbox keyed by outcome id)
 * and acknowledges it; a redelivered outcome is acknowledged again but not recorded twice. Only
 * an outcome the broker signed, for this envelope, is recorded. Nothing here throws: a message
 * that cannot be recorded is dead-lettered and not acknowledged, so the broker sends it again
 * later with back-off (a transient fault heals; a permanent one never blocks the partition).
 */
export class OutcomeProcessor {
  private readonly logger = new Logger('Outcomes');

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
    const parsed = parseMessage(CaseOutcomeV1, message.value);
    if (!parsed.ok || parsed.value.agency !== this.agency) {
      await this.deadLetter(message, parsed.ok ? 'outcome for another agency' : parsed.reason);
      return 'dead-lettered';
    }
    const outcome = parsed.value;
    let body: CaseOutcomeBodyV1;
    try {
      const opened = await openSigned<unknown>(outcome.body, this.keys, this.brokerKeys);
      const valid = CaseOutcomeBodyV1.safeParse(opened.payload);
      if (!valid.success) throw new TrustError('OUTCOME.MALFORMED', 'outcome content is not valid');
      body = valid.data;
    } catch (error) {
      await this.deadLetter(
        message,
        error instanceof TrustError ? error.code : 'OUTCOME.UNVERIFIABLE',
      );
      return 'dead-lettered';
    }
    if (
      body.outcomeId !== outcome.outcomeId ||
      body.caseId !== outcome.caseId ||
      body.partnership !== outcome.partnership ||
      body.agency !== this.agency
    ) {
      await this.deadLetter(message, 'OUTCOME.ENVELOPE_MISMATCH');
      return 'dead-lettered';
    }
    let recorded: boolean;
    try {
      recorded = await this.record(outcome, body);
    } catch (error) {
      this.logger.warn(
        `outcome could not be recorded (${error instanceof Error ? error.name : 'error'}); the broker will send it again`,
      );
      await this.deadLetter(message, 'OUTCOME.NOT_RECORDED');
      return 'dead-lettered';
    }
    return this.acknowledge(outcome, recorded);
  }

  private async record(outcome: CaseOutcomeV1, body: CaseOutcomeBodyV1): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
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
  }

  private async acknowledge(
    outcome: CaseOutcomeV1,
    recorded: boolean,
  ): Promise<'recorded' | 'duplicate'> {
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
    const { topic, ...record } = kafkaRecord(
      Topics.caseOutcomeAcknowledged(this.agency),
      outcome.caseId,
      ack,
      { correlationId: outcome.outcomeId },
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
