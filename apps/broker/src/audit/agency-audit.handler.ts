import { Injectable, Logger } from '@nestjs/common';
import { compactVerify } from 'jose';
import { DomainError, validCorrelationId, type RawKafkaMessage } from '@mash/common';
import { AgencyAuditContentV1, AgencyAuditEventV1, Headers, parseMessage } from '@mash/contracts';
import type { AuditEventInput } from '@mash/audit';
import { SIGNING_ALG, sha256 } from '@mash/trust';
import { AgencyDirectory } from '../keys/agency-directory';
import { DeadLetters } from '../kafka/dead-letters';
import { Transactions } from '../common/transactions';
import { AgencyEventReceiptRepository, type Claim } from './agency-event-receipt.repository';
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
    private readonly transactions: Transactions,
    private readonly directory: AgencyDirectory,
    private readonly audit: AuditService,
    private readonly receipts: AgencyEventReceiptRepository,
    private readonly deadLetters: DeadLetters,
  ) {}

  async handle(message: RawKafkaMessage): Promise<AgencyAuditOutcome> {
    const [outcome] = await this.handleMany([message]);
    return outcome;
  }

  /**
   * A batch from the topic, outcomes in order: each message is checked on its own, and the ones
   * that verify are claimed and recorded together in one transaction (one round of lookups and
   * inserts instead of one per event; several arrive for every query). If the log refuses one of
   * them, the batch is recorded one by one, so the bad event alone is dead-lettered.
   */
  async handleMany(messages: readonly RawKafkaMessage[]): Promise<AgencyAuditOutcome[]> {
    const outcomes: AgencyAuditOutcome[] = new Array(messages.length);
    const verified: Array<{
      index: number;
      event: AgencyAuditEventV1;
      content: AgencyAuditContentV1;
    }> = [];
    for (const [index, message] of messages.entries()) {
      const checked = await this.verify(message);
      if ('outcome' in checked) outcomes[index] = checked.outcome;
      else verified.push({ index, ...checked });
    }
    if (verified.length === 0) return outcomes;
    let claims: Claim[];
    try {
      claims = await this.transactions.run(async (tx) => {
        const claimed = await this.receipts.claimMany(
          verified.map(({ event }) => ({
            signedHash: sha256(event.signed),
            messageId: event.messageId,
            partnership: event.partnership,
            agency: event.agency,
          })),
          tx,
        );
        const fresh = verified.filter((_, i) => claimed[i] === 'fresh');
        await this.audit.record(
          fresh.map(({ event, content, index }) => entryFor(event, content, messages[index])),
          tx,
        );
        return claimed;
      });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'AUDIT.INVALID_EVENT')) throw error;
      if (verified.length === 1) {
        const { index } = verified[0];
        await this.deadLetters.send(messages[index], 'the audit log refuses this event');
        outcomes[index] = 'dead-lettered';
        return outcomes;
      }
      for (const { index } of verified)
        [outcomes[index]] = await this.handleMany([messages[index]]);
      return outcomes;
    }
    for (const [i, { index, event }] of verified.entries()) {
      const claim = claims[i];
      outcomes[index] =
        claim === 'fresh'
          ? 'recorded'
          : claim === 'redelivered'
            ? 'duplicate'
            : await this.refuse(
                event,
                'this signed event was already recorded under another message',
              );
    }
    return outcomes;
  }

  /** The event and its signed content when they can be recorded; otherwise what became of it. */
  private async verify(
    message: RawKafkaMessage,
  ): Promise<
    { event: AgencyAuditEventV1; content: AgencyAuditContentV1 } | { outcome: AgencyAuditOutcome }
  > {
    const parsed = parseMessage(AgencyAuditEventV1, message.value);
    if (!parsed.ok) {
      await this.deadLetters.send(message, parsed.reason);
      return { outcome: 'dead-lettered' };
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
      return {
        outcome: await this.refuse(
          event,
          'signature does not verify against the agency key registered for this partnership',
        ),
      };
    }
    const valid = AgencyAuditContentV1.safeParse(content);
    if (!valid.success)
      return { outcome: await this.refuse(event, 'signed content is not a valid agency event') };
    content = valid.data;
    if (content.agency !== event.agency || content.partnership !== event.partnership)
      return {
        outcome: await this.refuse(event, 'signed content names another agency or partnership'),
      };
    if (Buffer.byteLength(JSON.stringify(content.details)) > MAX_DETAILS_BYTES)
      return { outcome: await this.refuse(event, 'details are too large for an audit event') };
    return { event, content };
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

/** The log entry for a verified agency event, with the correlation id its message carried. */
function entryFor(
  event: AgencyAuditEventV1,
  content: AgencyAuditContentV1,
  message: RawKafkaMessage,
): AuditEventInput {
  const queryId = typeof content.details.queryId === 'string' ? content.details.queryId : null;
  const correlationId = validCorrelationId(message.headers[Headers.correlationId]);
  return {
    partnership: event.partnership,
    actorType: 'agency',
    actorId: event.agency,
    action: content.action,
    outcome: content.outcome,
    queryId: queryId && queryId.length <= 200 ? queryId : null,
    agency: event.agency,
    occurredAt: content.occurredAt,
    ...(correlationId ? { correlationId } : {}),
    details: { ...content.details, signed: true, messageId: event.messageId },
  };
}
