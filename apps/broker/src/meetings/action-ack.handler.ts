import { Clock } from '@mash/common';
import { Injectable, Logger } from '@nestjs/common';
import { CaseActionAcknowledgedV1, type Agency } from '@mash/contracts';
import { applyAcknowledgement } from '../audit/acknowledged';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/transactions';
import { DeadLetters, type RawMessage } from '../kafka/dead-letters';
import { MeetingRepository } from './meeting.repository';

export type ActionAckOutcome = 'delivered' | 'duplicate' | 'ignored' | 'dead-lettered';

/**
 * An agency's acknowledgement that it recorded an action from a MASH meeting. Marks the action
 * delivered, once, as `OutcomeAckHandler` does for outcomes: accepted only from the agency's own
 * topic and only for an action given to that agency in the same partnership and case.
 */
@Injectable()
export class ActionAckHandler {
  private readonly logger = new Logger('ActionAcks');

  constructor(
    private readonly transactions: Transactions,
    private readonly meetings: MeetingRepository,
    private readonly audit: AuditService,
    private readonly deadLetters: DeadLetters,
    private readonly clock: Clock,
  ) {}

  async handle(topicAgency: Agency, message: RawMessage): Promise<ActionAckOutcome> {
    const ack = await this.deadLetters.fromAgency(CaseActionAcknowledgedV1, topicAgency, message);
    if (!ack) return 'dead-lettered';
    const action = await this.meetings.action(ack.actionId);
    if (
      !action ||
      action.agency !== ack.agency ||
      action.partnership !== ack.partnership ||
      action.caseId !== ack.caseId
    ) {
      this.logger.warn(`acknowledgement for an unknown action ignored (${ack.agency})`);
      return 'ignored';
    }
    return applyAcknowledgement(
      this.transactions,
      this.audit,
      (tx) => this.meetings.markDelivered(ack.actionId, ack.agency, this.clock.now(), tx),
      {
        action: 'case.action.delivered',
        partnership: action.partnership,
        caseId: action.caseId,
        agency: ack.agency,
        details: {
          actionId: action.id,
          meetingId: action.meetingId,
          recordedAt: ack.recordedAt,
          attempts: action.attempts,
        },
      },
    );
  }
}
