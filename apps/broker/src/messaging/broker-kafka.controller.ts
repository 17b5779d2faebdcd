import { Controller, Logger, type Type } from '@nestjs/common';
import { Ctx, EventPattern, Payload, type KafkaContext } from '@nestjs/microservices';
import { rawMessageOf } from '@mash/common';
import { AGENCIES, Topics, type Agency } from '@mash/contracts';
import { AnswerHandler } from '../queries/answer.handler';
import { AgencyAuditHandler } from '../audit/agency-audit.handler';
import { OutcomeAckHandler } from '../outcomes/outcome-ack.handler';
import { ActionAckHandler } from '../meetings/action-ack.handler';

/**
 * The broker's Kafka consumers: one handler per agency answer topic, plus agency audit events.
 * Handlers never throw for bad input (they dead-letter it); a transient failure (database down)
 * throws so that Kafka redelivers rather than losing the message. Handlers for the per-agency
 * topics are generated, with their decorators applied by hand.
 */
function buildController(): Type {
  @Controller()
  class BrokerKafkaController {
    readonly logger = new Logger('BrokerKafka');
    constructor(
      readonly answers: AnswerHandler,
      readonly agencyAudit: AgencyAuditHandler,
      readonly outcomeAcks: OutcomeAckHandler,
      readonly actionAcks: ActionAckHandler,
    ) {}

    @EventPattern(Topics.audit)
    async onAgencyAudit(@Payload() _payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
      await this.agencyAudit.handle(rawMessageOf(context));
    }
  }
  for (const agency of AGENCIES) {
    const name = `onAnswer_${agency.replace('-', '_')}`;
    const handler = async function (
      this: BrokerKafkaController,
      _payload: unknown,
      context: KafkaContext,
    ): Promise<void> {
      await this.answers.handle(agency as Agency, rawMessageOf(context));
    };
    Object.defineProperty(BrokerKafkaController.prototype, name, {
      value: handler,
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(
      BrokerKafkaController.prototype,
      name,
    ) as PropertyDescriptor;
    EventPattern(Topics.queryResponded(agency))(BrokerKafkaController.prototype, name, descriptor);
    Payload()(BrokerKafkaController.prototype, name, 0);
    Ctx()(BrokerKafkaController.prototype, name, 1);
    // Agencies' acknowledgements that they recorded a case outcome.
    const ackName = `onOutcomeAck_${agency.replace('-', '_')}`;
    const ackHandler = async function (
      this: BrokerKafkaController,
      _payload: unknown,
      context: KafkaContext,
    ): Promise<void> {
      await this.outcomeAcks.handle(agency as Agency, rawMessageOf(context));
    };
    Object.defineProperty(BrokerKafkaController.prototype, ackName, {
      value: ackHandler,
      writable: true,
      configurable: true,
    });
    const ackDescriptor = Object.getOwnPropertyDescriptor(
      BrokerKafkaController.prototype,
      ackName,
    ) as PropertyDescriptor;
    EventPattern(Topics.caseOutcomeAcknowledged(agency))(
      BrokerKafkaController.prototype,
      ackName,
      ackDescriptor,
    );
    Payload()(BrokerKafkaController.prototype, ackName, 0);
    Ctx()(BrokerKafkaController.prototype, ackName, 1);
    // Agencies' acknowledgements that they recorded an action from a MASH meeting.
    const actionAckName = `onActionAck_${agency.replace('-', '_')}`;
    const actionAckHandler = async function (
      this: BrokerKafkaController,
      _payload: unknown,
      context: KafkaContext,
    ): Promise<void> {
      await this.actionAcks.handle(agency as Agency, rawMessageOf(context));
    };
    Object.defineProperty(BrokerKafkaController.prototype, actionAckName, {
      value: actionAckHandler,
      writable: true,
      configurable: true,
    });
    const actionAckDescriptor = Object.getOwnPropertyDescriptor(
      BrokerKafkaController.prototype,
      actionAckName,
    ) as PropertyDescriptor;
    EventPattern(Topics.caseActionAcknowledged(agency))(
      BrokerKafkaController.prototype,
      actionAckName,
      actionAckDescriptor,
    );
    Payload()(BrokerKafkaController.prototype, actionAckName, 0);
    Ctx()(BrokerKafkaController.prototype, actionAckName, 1);
  }
  return BrokerKafkaController;
}

export const BrokerKafkaController = buildController();
