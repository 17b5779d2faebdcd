import { Clock } from '@mash/common';
import { Injectable, Logger } from '@nestjs/common';
import { Transactions } from '../common/transactions';
import { CaseOutcomeAcknowledgedV1, type Agency } from '@mash/contracts';
import { applyAcknowledgement } from '../audit/acknowledged';
import { AuditService } from '../audit/audit.service';
import { DeadLetters, type RawMessage } from '../kafka/dead-letters';
import { OutcomeRepository } from './outcome.repository';

export type AckOutcome = 'delivered' | 'duplicate' | 'ignored' | 'dead-lettered';

/**
 * An agency's acknowledgement that it recorded an outcome. Marks that agency's delivery delivered,
 * once. Acknowledgements are accepted only from the agency's own topic (Kafka ACLs keep each
 * agency to its topics) and only for a delivery that exists in the same partnership.
 */
@Injectable()
export class OutcomeAckHandler {
  private readonly logger = new Logger('OutcomeAcks');

  constructor(
    private readonly transactions: Transactions,
    private readonly outcomes: OutcomeRepository,
    private readonly audit: AuditService,
    private readonly deadLetters: DeadLetters,
    private readonly clock: Clock,
  ) {}

  async handle(topicAgency: Agency, message: RawMessage): Promise<AckOutcome> {
    const ack = await this.deadLetters.fromAgency(CaseOutcomeAcknowledgedV1, topicAgency, message);
    if (!ack) return 'dead-lettered';
    const delivery = await this.outcomes.delivery(ack.outcomeId, ack.agency);
    if (!delivery || delivery.partnership !== ack.partnership || delivery.caseId !== ack.caseId) {
      this.logger.warn(`acknowledgement for an unknown delivery ignored (${ack.agency})`);
      return 'ignored';
    }
    return applyAcknowledgement(
      this.transactions,
      this.audit,
      (tx) => this.outcomes.markDelivered(ack.outcomeId, ack.agency, this.clock.now(), tx),
      {
        action: 'case.outcome.delivered',
        partnership: delivery.partnership,
        caseId: delivery.caseId,
        agency: ack.agency,
        details: {
          outcomeId: ack.outcomeId,
          recordedAt: ack.recordedAt,
          attempts: delivery.attempts,
        },
      },
    );
  }
}
