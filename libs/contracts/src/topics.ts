import type { Agency } from './agencies';

/**
 * Topic names: lowercase, dotted, versioned. Per-agency topics let Kafka ACLs confine each
 * adapter to its own traffic (it reads only `mash.<agency>.*` and writes only its own replies).
 */
export const Topics = {
  queryRequested: (agency: Agency) => `mash.${agency}.query.requested.v1`,
  queryResponded: (agency: Agency) => `mash.${agency}.query.responded.v1`,
  caseOutcome: (agency: Agency) => `mash.${agency}.case.outcome.v1`,
  caseOutcomeAcknowledged: (agency: Agency) => `mash.${agency}.case.outcome.acknowledged.v1`,
  audit: 'mash.audit.v1',
  auditCheckpoint: 'mash.audit.checkpoint.v1',
  caseDeadlineApproaching: 'mash.case.deadline.approaching.v1',
  deadLetter: (topic: string) => `${topic}.dlq`,
  /**
   * Broker -> adapter: the lifecycle status of each of the agency's agreement versions, compacted
   * (key `<agreementId>@<version>`), so an adapter reading from the beginning knows what is in force.
   */
  agreementStatus: (agency: Agency) => `mash.${agency}.agreements.status.v1`,
} as const;

/** Header names. Headers carry ids only, never personal data. */
export const Headers = {
  correlationId: 'correlation-id',
  messageId: 'message-id',
  messageType: 'message-type',
  schemaVersion: 'schema-version',
  retryCount: 'retry-count',
  dlqReason: 'dlq-reason',
  dlqSourceTopic: 'dlq-source-topic',
} as const;
