import type { Agency } from './agencies';

/** The namespace every deployment uses; the AsyncAPI document and the ACLs name it. */
export const DEFAULT_TOPIC_NAMESPACE = 'mash';

/**
 * Topic names: lowercase, dotted, versioned. Per-agency topics let Kafka ACLs confine each
 * adapter to its own traffic (it reads only `mash.<agency>.*` and writes only its own replies).
 */
export function topicsIn(ns: string) {
  return {
    queryRequested: (agency: Agency) => `${ns}.${agency}.query.requested.v1`,
    queryResponded: (agency: Agency) => `${ns}.${agency}.query.responded.v1`,
    caseOutcome: (agency: Agency) => `${ns}.${agency}.case.outcome.v1`,
    caseOutcomeAcknowledged: (agency: Agency) => `${ns}.${agency}.case.outcome.acknowledged.v1`,
    /** Broker -> adapter: an action a MASH meeting gave the agency; acknowledged like an outcome. */
    caseAction: (agency: Agency) => `${ns}.${agency}.case.action.v1`,
    caseActionAcknowledged: (agency: Agency) => `${ns}.${agency}.case.action.acknowledged.v1`,
    audit: `${ns}.audit.v1`,
    auditCheckpoint: `${ns}.audit.checkpoint.v1`,
    caseDeadlineApproaching: `${ns}.case.deadline.approaching.v1`,
    deadLetter: (topic: string) => `${topic}.dlq`,
    /**
     * Broker -> adapter: the lifecycle status of each of the agency's agreement versions, compacted
     * (key `<agreementId>@<version>`), so an adapter reading from the beginning knows what is in force.
     */
    agreementStatus: (agency: Agency) => `${ns}.${agency}.agreements.status.v1`,
    /** Adapter -> broker: the adapter is alive, its version and how fresh its source data is. */
    adapterHeartbeat: (agency: Agency) => `${ns}.${agency}.adapter.heartbeat.v1`,
  } as const;
}

/**
 * The topics every query crosses: requests to an agency, its answers, and agency audit events
 * (several per query). kafkajs consumes one partition at a time per consumer, so on a single
 * partition each of them is one serial lane of database commits, the federation's ceiling. Their
 * records need no order among themselves (keyed by query id or message id), so they get
 * `KAFKA_TOPIC_PARTITIONS` partitions; every other topic keeps one (compacted agreement status and
 * acknowledgements rely on a key staying on its partition).
 */
export function isWideTopic(topic: string): boolean {
  if (topic.endsWith('.dlq')) return false;
  return (
    topic === Topics.audit ||
    topic.endsWith('.query.requested.v1') ||
    topic.endsWith('.query.responded.v1')
  );
}

/**
 * `KAFKA_TOPIC_NAMESPACE` (default `mash`). The integration tests set `mash-test`, so messages they
 * leave on a shared Kafka never reach the federation `npm start` runs, and the reverse. Read once
 * at load because topic names are constants everywhere they are used.
 */
export const TOPIC_NAMESPACE = namespaceFrom(process.env.KAFKA_TOPIC_NAMESPACE);

export const Topics = topicsIn(TOPIC_NAMESPACE);

/** A consumer group id in this namespace: unchanged in the default one (the ACLs name them). */
export function consumerGroup(name: string): string {
  return TOPIC_NAMESPACE === DEFAULT_TOPIC_NAMESPACE ? name : `${TOPIC_NAMESPACE}.${name}`;
}

function namespaceFrom(value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_TOPIC_NAMESPACE;
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(value))
    throw new Error('KAFKA_TOPIC_NAMESPACE must be lowercase letters, digits and dashes');
  return value;
}

/** Header names. Headers carry ids only, never personal data. */
export const Headers = {
  correlationId: 'correlation-id',
  messageId: 'message-id',
  messageType: 'message-type',
  schemaVersion: 'schema-version',
  retryCount: 'retry-count',
  dlqReason: 'dlq-reason',
  dlqSourceTopic: 'dlq-source-topic',
  dlqTruncated: 'dlq-truncated',
  /** W3C trace context (https://www.w3.org/TR/trace-context/): ids only. */
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;
