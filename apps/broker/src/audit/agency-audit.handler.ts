import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { compactVerify } from 'jose';
import { DomainError, type RawKafkaMessage } from '@mash/common';
import { AgencyAuditContentV1, AgencyAuditEventV1, parseMessage } from '@mash/contracts';
import { SIGNING_ALG, sha256 } from '@mash/trust';
import { AgencyDirectory } from '../keys/agency-directory';
import { DeadLetters } from '../kafka/dead-letters';
import { AgencyEventReceiptRepository } from './agency-event-receipt.repository';
import { AuditService } from './audit.service';

/** Details are ids, codes and counts; anything bigger is not an audit event. */
const MAX_DETAILS_BYTES = 16 * 1024;

export type AgencyAuditOutcome = 'recorded' | 'refused' | 'duplicate' | 'dead-lettered';

/**
 * Agency-side events (grant verified or rejected, source searched, records released) arrive
 * signed over `mash.audit.v1`; they enter the log only when the agency's registered key verifies
 * them and the signed content is valid, and only once (the same message again is a redelivery;
 * the same signature under another message is a replay, refused). A
 * message that can never be recorded is dead-lettered or refused, never thrown: only a transient
 * failure (the database down) throws, so that Kafka redelivers it.
 */
@Injectable()
export class AgencyAuditHandler {
  private readonly logger = new Logger('AgencyAudit');

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly directory: AgencyDirectory,
    private readonly audit: AuditService,
    private readonly receipts: AgencyEventReceiptRepository,
    private readonly deadLetters: DeadLetters,
  ) {}

  async handle(message: RawKafkaMessage): Promise<AgencyAuditOutcome> {
    const parsed = parseMessage(AgencyAuditEventV1, message.value);
    if (!parsed.ok) {
      await this.deadLetters.send(message, parsed.reason);
      return 'dead-lettered';
    }
    const event = parsed.value;
    let content: AgencyAuditContentV1;
    try {
      const { payload } = await compactVerify(
        event.signed,
        this.directory.keysFor(event.partnership, event.agency).getKey,
        { algorithms: [SIGNING_ALG] },
      );
      content = JSON.parse(new TextDecoder().decode(payload)) as AgencyAuditContentV1;
    } catch {
      return this.refuse(
        event,
        'signature does not verify against the agency key registered for this partnership',
      );
    }
    const valid = AgencyAuditContentV1.safeParse(content);
    if (!valid.success) return this.refuse(event, 'signed content is not a valid agency event');
    content = valid.data;
    if (content.agency !== event.agency || content.partnership !== event.partnership)
      return this.refuse(event, 'signed content names another agency or partnership');
    if (Buffer.byteLength(JSON.stringify(content.details)) > MAX_DETAILS_BYTES)
      return this.refuse(event, 'details are too large for an audit event');

    const queryId = typeof content.details.queryId === 'string' ? content.details.queryId : null;
    try {
      const result = await this.dataSource.transaction(async (tx) => {
        const claim = await this.receipts.claim(
          {
            signedHash: sha256(event.signed),
            messageId: event.messageId,
            partnership: event.partnership,
            agency: event.agency,
          },
          tx,
        );
        if (claim !== 'fresh') return claim === 'redelivered' ? 'duplicate' : 'replayed';
        await this.audit.record(
          {
            partnership: event.partnership,
            actorType: 'agency',
            actorId: event.agency,
            action: content.action,
            outcome: content.outcome,
            queryId: queryId && queryId.length <= 200 ? queryId : null,
            agency: event.agency,
            occurredAt: content.occurredAt,
            details: { ...content.details, signed: true, messageId: event.messageId },
          },
          tx,
        );
        return 'recorded';
      });
      return result === 'replayed'
        ? await this.refuse(event, 'this signed event was already recorded under another message')
        : result;
    } catch (error) {
      if (error instanceof DomainError && error.code === 'AUDIT.INVALID_EVENT') {
        await this.deadLetters.send(message, 'the audit log refuses this event');
        return 'dead-lettered';
      }
      throw error;
    }
  }

  private async refuse(event: AgencyAuditEventV1, reason: string): Promise<AgencyAuditOutcome> {
    this.logger.warn(`agency audit event refused (${event.agency}): ${reason}`);
    await this.audit.record({
      partnership: event.partnership,
      actorType: 'agency',
      actorId: event.agency,
      action: 'agency.event.refused',
      outcome: 'failure',
      agency: event.agency,
      details: { reason, messageId: event.messageId },
    });
    return 'refused';
  }
}
