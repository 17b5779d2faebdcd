import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { Topics, type Agency, type AgencyAuditEventV1, kafkaRecord } from '@mash/contracts';
import { SIGNING_ALG, type ServiceKeys } from '@mash/trust';
import type { Publisher } from './publisher';

/**
 * Agency-side audit events, signed with the agency's key and sent over `mash.audit.v1`.
 * Details carry ids, codes and counts only: never names, dates of birth or identifiers.
 */
export class AgencyAuditPublisher {
  constructor(
    private readonly agency: Agency,
    private readonly keys: ServiceKeys,
    private readonly publisher: Publisher,
  ) {}

  async record(
    partnership: string,
    action: string,
    outcome: 'success' | 'failure',
    details: Record<string, unknown>,
  ): Promise<void> {
    const occurredAt = new Date().toISOString();
    const content = { agency: this.agency, partnership, action, outcome, details, occurredAt };
    const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify(content)))
      .setProtectedHeader({ alg: SIGNING_ALG, kid: this.keys.signing.kid })
      .sign(this.keys.signing.privateKey);
    const event: AgencyAuditEventV1 = {
      type: 'audit.agency-event',
      version: 1,
      messageId: randomUUID(),
      agency: this.agency,
      partnership,
      signed,
      occurredAt,
    };
    const queryId = typeof details.queryId === 'string' ? details.queryId : undefined;
    // Keyed by query (or the message itself) so events spread over the topic's partitions: the
    // broker records them in parallel, and their order does not matter (each carries its time).
    const { topic, ...record } = kafkaRecord(Topics.audit, queryId ?? event.messageId, event, {
      correlationId: queryId,
    });
    await this.publisher.publish(topic, record);
  }
}
