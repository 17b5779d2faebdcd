import { Injectable, Logger } from '@nestjs/common';
import { compactVerify } from 'jose';
import { AgencyAuditEventV1, parseMessage } from '@mash/contracts';
import type { RawKafkaMessage } from '@mash/common';
import { SIGNING_ALG } from '@mash/trust';
import { AgencyDirectory } from '../keys/agency-directory';
import { DeadLetters } from '../kafka/dead-letters';
import { AuditService } from './audit.service';

interface AgencyEventContent {
  agency: string;
  partnership: string;
  action: string;
  outcome: 'success' | 'failure';
  details: Record<string, unknown>;
  occurredAt: string;
}

/**
 * Agency-side events (grant verified or rejected, source searched, records released) arrive
 * signed over `mash.audit.v1`; they enter the log only when the agency's registered key verifies them.
 */
@Injectable()
export class AgencyAuditHandler {
  private readonly logger = new Logger('AgencyAudit');

  constructor(
    private readonly directory: AgencyDirectory,
    private readonly audit: AuditService,
    private readonly deadLetters: DeadLetters,
  ) {}

  async handle(message: RawKafkaMessage): Promise<'recorded' | 'refused' | 'dead-lettered'> {
    const parsed = parseMessage(AgencyAuditEventV1, message.value);
    if (!parsed.ok) {
      await this.deadLetters.send(message, parsed.reason);
      return 'dead-lettered';
    }
    const event = parsed.value;
    let content: AgencyEventContent;
    try {
      const { payload } = await compactVerify(
        event.signed,
        this.directory.keysFor(event.partnership, event.agency).getKey,
        {
          algorithms: [SIGNING_ALG],
        },
      );
      content = JSON.parse(new TextDecoder().decode(payload)) as AgencyEventContent;
      if (content.agency !== event.agency || content.partnership !== event.partnership)
        throw new Error('envelope mismatch');
    } catch {
      await this.audit.record({
        partnership: event.partnership,
        actorType: 'agency',
        actorId: event.agency,
        action: 'agency.event.refused',
        outcome: 'failure',
        agency: event.agency,
        details: {
          reason:
            'signature does not verify against the agency key registered for this partnership',
        },
      });
      return 'refused';
    }
    const queryId = typeof content.details.queryId === 'string' ? content.details.queryId : null;
    await this.audit.record({
      partnership: event.partnership,
      actorType: 'agency',
      actorId: event.agency,
      action: /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/.test(content.action)
        ? content.action
        : 'agency.event',
      outcome: content.outcome === 'failure' ? 'failure' : 'success',
      queryId,
      agency: event.agency,
      occurredAt: content.occurredAt,
      details: { ...content.details, signed: true, messageId: event.messageId },
    });
    return 'recorded';
  }
}
