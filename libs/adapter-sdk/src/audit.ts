import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { Topics, type Agency, type AgencyAuditEventV1, kafkaRecord } from '@mash/contracts';
import { SIGNING_ALG, type ServiceKeys } from '@mash/trust';
import type { OutgoingMessage, Publisher } from './publisher';

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

  /** Signs one event and sends it at once. */
  async record(
    partnership: string,
    action: string,
    outcome: 'success' | 'failure',
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.publisher.publish(
      Topics.audit,
      await this.signed(partnership, action, outcome, details),
    );
  }

  /**
   * Events signed as they happen and sent together by `flush`: one produce request for what one
   * request to the adapter records, where one each cost a Kafka round trip in the request's path.
   * Flush before anything they describe leaves the agency.
   */
  batch(): AgencyAuditBatch {
    const pending: OutgoingMessage[] = [];
    return {
      add: async (partnership, action, outcome, details) => {
        pending.push(await this.signed(partnership, action, outcome, details));
      },
      flush: async () => {
        const sending = pending.splice(0);
        await this.publisher.publishAll(Topics.audit, sending);
      },
    };
  }

  private async signed(
    partnership: string,
    action: string,
    outcome: 'success' | 'failure',
    details: Record<string, unknown>,
  ): Promise<OutgoingMessage> {
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
    const { topic: _audit, ...record } = kafkaRecord(
      Topics.audit,
      queryId ?? event.messageId,
      event,
      { correlationId: queryId },
    );
    return record;
  }
}

/** Audit events of one piece of work, sent together (`AgencyAuditPublisher.batch`). */
export interface AgencyAuditBatch {
  add(
    partnership: string,
    action: string,
    outcome: 'success' | 'failure',
    details: Record<string, unknown>,
  ): Promise<void>;
  /** Sends what was added since the last flush; resolves once Kafka has it all. */
  flush(): Promise<void>;
}
