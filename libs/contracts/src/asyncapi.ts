import { z } from 'zod';
import { AGENCIES, type Agency } from './agencies';
import {
  AdapterHeartbeatClaimsV1,
  AdapterHeartbeatV1,
  AgencyAuditEventV1,
  AgreementStatusChangedV1,
  AuditCheckpointV1,
  CaseDeadlineApproachingV1,
  CaseActionAcknowledgedV1,
  CaseActionBodyV1,
  CaseActionV1,
  CaseOutcomeAcknowledgedV1,
  CaseOutcomeV1,
  QueryAnswerV1,
  QueryRequestedV1,
  QueryRespondedV1,
} from './messages';
import { DEFAULT_TOPIC_NAMESPACE, Headers, topicsIn } from './topics';

// The document describes the deployed topics, whatever namespace this process runs in.
const Topics = topicsIn(DEFAULT_TOPIC_NAMESPACE);

type Json = Record<string, unknown>;

const schema = (s: z.ZodType): Json => {
  const out = z.toJSONSchema(s, { io: 'output', unrepresentable: 'any' }) as Json;
  delete out.$schema;
  return out;
};

const headers: Json = {
  type: 'object',
  description: 'Headers carry ids only, never personal data.',
  properties: {
    [Headers.correlationId]: {
      type: 'string',
      description: 'The query, case or outcome this message belongs to.',
    },
    [Headers.messageId]: { type: 'string', format: 'uuid' },
    [Headers.messageType]: { type: 'string' },
    [Headers.schemaVersion]: { type: 'string', enum: ['1'] },
    [Headers.traceparent]: {
      type: 'string',
      description: 'W3C trace context of the span that sent the message, when tracing is on.',
    },
    [Headers.tracestate]: { type: 'string', description: 'W3C trace state, with traceparent.' },
  },
  required: [Headers.messageId, Headers.messageType, Headers.schemaVersion],
};

const dlqHeaders: Json = {
  type: 'object',
  properties: {
    [Headers.dlqReason]: {
      type: 'string',
      description: 'Why the message was refused: field paths and rule codes, never values.',
    },
    [Headers.dlqSourceTopic]: { type: 'string' },
  },
  required: [Headers.dlqReason, Headers.dlqSourceTopic],
};

interface ChannelSpec {
  id: string;
  address: string;
  message: string;
  description: string;
  key: string;
}

/** The AsyncAPI 3 document for every topic, built from the same zod schemas that validate the wire. */
export function asyncApiDocument(): Json {
  const messages: Json = {
    QueryRequestedV1: {
      name: 'query.requested',
      title: 'A signed grant and encrypted search criteria for one agency',
      headers,
      payload: schema(QueryRequestedV1),
    },
    QueryRespondedV1: {
      name: 'query.responded',
      title:
        "An agency's answer: signed by the agency, encrypted to the broker (body holds QueryAnswerV1)",
      headers,
      payload: schema(QueryRespondedV1),
    },
    QueryAnswerV1: {
      name: 'query.answer',
      title: 'The signed content inside QueryRespondedV1.body (never on the wire in clear)',
      payload: schema(QueryAnswerV1),
    },
    CaseOutcomeV1: {
      name: 'case.outcome',
      title: 'The MASH decision, encrypted to the agency',
      headers,
      payload: schema(CaseOutcomeV1),
    },
    CaseOutcomeAcknowledgedV1: {
      name: 'case.outcome.acknowledged',
      title: 'The agency recorded the outcome',
      headers,
      payload: schema(CaseOutcomeAcknowledgedV1),
    },
    CaseActionV1: {
      name: 'case.action',
      title: 'An action a MASH meeting gave the agency, encrypted to the agency',
      headers,
      payload: schema(CaseActionV1),
    },
    CaseActionBodyV1: {
      name: 'case.action.body',
      title: 'The signed content inside CaseActionV1.body (never on the wire in clear)',
      payload: schema(CaseActionBodyV1),
    },
    CaseActionAcknowledgedV1: {
      name: 'case.action.acknowledged',
      title: 'The agency recorded the action',
      headers,
      payload: schema(CaseActionAcknowledgedV1),
    },
    AgencyAuditEventV1: {
      name: 'audit.agency-event',
      title: 'An agency-side audit event, signed by the agency',
      headers,
      payload: schema(AgencyAuditEventV1),
    },
    AuditCheckpointV1: {
      name: 'audit.checkpoint',
      title: 'A signed audit chain head',
      payload: schema(AuditCheckpointV1),
    },
    CaseDeadlineApproachingV1: {
      name: 'case.deadline.approaching',
      title: 'A case is near its deadline',
      headers,
      payload: schema(CaseDeadlineApproachingV1),
    },
    AgreementStatusChangedV1: {
      name: 'agreement.status.changed',
      title: 'The lifecycle status of an agreement version, signed by the broker (compacted topic)',
      headers,
      payload: schema(AgreementStatusChangedV1),
    },
    AdapterHeartbeatV1: {
      name: 'adapter.heartbeat',
      title: 'An adapter is alive: signed by the agency (signed holds AdapterHeartbeatClaimsV1)',
      headers,
      payload: schema(AdapterHeartbeatV1),
    },
    AdapterHeartbeatClaimsV1: {
      name: 'adapter.heartbeat.claims',
      title: 'The signed content inside AdapterHeartbeatV1.signed: version and data freshness',
      payload: schema(AdapterHeartbeatClaimsV1),
    },
    DeadLetter: {
      name: 'dead-letter',
      title: 'A message that failed validation, unchanged, with the reason',
      headers: dlqHeaders,
      payload: { description: 'The original bytes.' },
    },
  };

  const specs: ChannelSpec[] = [];
  const perAgency = (agency: Agency) => {
    const slug = agency.replace('-', '');
    specs.push(
      {
        id: `${slug}QueryRequested`,
        address: Topics.queryRequested(agency),
        message: 'QueryRequestedV1',
        description: `Broker -> ${agency} adapter.`,
        key: 'query id',
      },
      {
        id: `${slug}QueryRequestedDlq`,
        address: Topics.deadLetter(Topics.queryRequested(agency)),
        message: 'DeadLetter',
        description: `Requests the ${agency} adapter refused as malformed.`,
        key: 'correlation id',
      },
      {
        id: `${slug}QueryResponded`,
        address: Topics.queryResponded(agency),
        message: 'QueryRespondedV1',
        description: `${agency} adapter -> broker.`,
        key: 'query id',
      },
      {
        id: `${slug}QueryRespondedDlq`,
        address: Topics.deadLetter(Topics.queryResponded(agency)),
        message: 'DeadLetter',
        description: `Answers the broker refused as malformed.`,
        key: 'correlation id',
      },
      {
        id: `${slug}CaseOutcome`,
        address: Topics.caseOutcome(agency),
        message: 'CaseOutcomeV1',
        description: `Broker -> ${agency} adapter: the outcome of a case it contributed to or referred.`,
        key: 'case id',
      },
      {
        id: `${slug}CaseOutcomeDlq`,
        address: Topics.deadLetter(Topics.caseOutcome(agency)),
        message: 'DeadLetter',
        description: 'Outcomes the adapter refused as malformed.',
        key: 'correlation id',
      },
      {
        id: `${slug}CaseOutcomeAcknowledged`,
        address: Topics.caseOutcomeAcknowledged(agency),
        message: 'CaseOutcomeAcknowledgedV1',
        description: `${agency} adapter -> broker.`,
        key: 'case id',
      },
      {
        id: `${slug}CaseAction`,
        address: Topics.caseAction(agency),
        message: 'CaseActionV1',
        description: `Broker -> ${agency} adapter: an action a daily MASH meeting or strategy discussion gave the agency; sent again until acknowledged.`,
        key: 'case id',
      },
      {
        id: `${slug}CaseActionDlq`,
        address: Topics.deadLetter(Topics.caseAction(agency)),
        message: 'DeadLetter',
        description: 'Actions the adapter refused as malformed or could not record.',
        key: 'correlation id',
      },
      {
        id: `${slug}CaseActionAcknowledged`,
        address: Topics.caseActionAcknowledged(agency),
        message: 'CaseActionAcknowledgedV1',
        description: `${agency} adapter -> broker.`,
        key: 'case id',
      },
      {
        id: `${slug}AgreementStatus`,
        address: Topics.agreementStatus(agency),
        message: 'AgreementStatusChangedV1',
        description: `Broker -> ${agency} adapter: agreements in force; the adapter refuses grants under a suspended or expired version.`,
        key: 'agreement id@version',
      },
      {
        id: `${slug}AdapterHeartbeat`,
        address: Topics.adapterHeartbeat(agency),
        message: 'AdapterHeartbeatV1',
        description: `${agency} adapter -> broker, every few seconds: alive, its version and how fresh its source data is.`,
        key: 'agency',
      },
      {
        id: `${slug}AdapterHeartbeatDlq`,
        address: Topics.deadLetter(Topics.adapterHeartbeat(agency)),
        message: 'DeadLetter',
        description: 'Heartbeats the broker refused (malformed, or not signed by the agency).',
        key: 'correlation id',
      },
    );
  };
  AGENCIES.forEach(perAgency);
  specs.push(
    {
      id: 'audit',
      address: Topics.audit,
      message: 'AgencyAuditEventV1',
      description: 'Adapters -> broker audit log.',
      key: 'partnership',
    },
    {
      id: 'auditDlq',
      address: Topics.deadLetter(Topics.audit),
      message: 'DeadLetter',
      description: 'Audit events refused as malformed.',
      key: 'correlation id',
    },
    {
      id: 'auditCheckpoint',
      address: Topics.auditCheckpoint,
      message: 'AuditCheckpointV1',
      description: 'Signed audit chain heads, for copies outside the database.',
      key: 'chain id',
    },
    {
      id: 'caseDeadlineApproaching',
      address: Topics.caseDeadlineApproaching,
      message: 'CaseDeadlineApproachingV1',
      description: 'Cases nearing their deadline.',
      key: 'case id',
    },
  );

  const channels: Json = {};
  const operations: Json = {};
  for (const c of specs) {
    channels[c.id] = {
      address: c.address,
      description: `${c.description} Kafka key: ${c.key}.`,
      messages: { [c.message]: { $ref: `#/components/messages/${c.message}` } },
      bindings: { kafka: { partitions: 1, replicas: 1, bindingVersion: '0.5.0' } },
    };
    operations[`send_${c.id}`] = {
      action: 'send',
      channel: { $ref: `#/channels/${c.id}` },
      bindings: { kafka: { bindingVersion: '0.5.0' } },
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'MASH information-sharing gateway: Kafka contracts',
      version: '1.0.0',
      description:
        'Every topic between the broker and the agency adapters. Personal data never travels in clear: search criteria are JWE to the agency, answers are agency-signed JWS inside JWE to the broker, headers carry ids only. A consumer dead-letters what fails validation to <topic>.dlq with the reason in a header.',
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: '127.0.0.1:9092',
        protocol: 'kafka',
        description: 'Single-node KRaft broker started by deploy/kafka/kafka.sh',
      },
    },
    channels,
    operations,
    components: { messages },
  };
}

/** Every topic the system uses, for tests that the document is complete. */
export function allTopics(): string[] {
  const topics = [
    Topics.audit,
    Topics.deadLetter(Topics.audit),
    Topics.auditCheckpoint,
    Topics.caseDeadlineApproaching,
  ];
  for (const a of AGENCIES) {
    topics.push(
      Topics.queryRequested(a),
      Topics.deadLetter(Topics.queryRequested(a)),
      Topics.queryResponded(a),
      Topics.deadLetter(Topics.queryResponded(a)),
      Topics.caseOutcome(a),
      Topics.deadLetter(Topics.caseOutcome(a)),
      Topics.caseOutcomeAcknowledged(a),
      Topics.caseAction(a),
      Topics.deadLetter(Topics.caseAction(a)),
      Topics.caseActionAcknowledged(a),
      Topics.agreementStatus(a),
      Topics.adapterHeartbeat(a),
      Topics.deadLetter(Topics.adapterHeartbeat(a)),
    );
  }
  return topics;
}
