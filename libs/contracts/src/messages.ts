import { z } from 'zod';
import { AGENCIES } from './agencies';

const uuid = z.uuid();
/** A MASH partnership id as it appears on the wire; the audit log refuses an empty one. */
const partnership = z.string().min(1).max(64);
const compactJose = z
  .string()
  .min(20)
  .max(1_000_000)
  .regex(/^[A-Za-z0-9_\-.]+$/, 'compact JOSE serialisation');

/**
 * Broker -> adapter: ask one agency about one subject. Everything about the subject is inside
 * `criteria` (JWE to the agency's key); `grant` is the broker's signed authorisation (JWS).
 */
export const QueryRequestedV1 = z
  .object({
    type: z.literal('query.requested'),
    version: z.literal(1),
    messageId: uuid,
    queryId: uuid,
    agency: z.enum(AGENCIES),
    partnership,
    grant: compactJose,
    criteria: compactJose,
    deadline: z.iso.datetime(),
    issuedAt: z.iso.datetime(),
  })
  .strict();
export type QueryRequestedV1 = z.infer<typeof QueryRequestedV1>;

/** Adapter -> broker: the answer, signed by the agency and encrypted to the broker (`body`). */
export const QueryRespondedV1 = z
  .object({
    type: z.literal('query.responded'),
    version: z.literal(1),
    messageId: uuid,
    queryId: uuid,
    agency: z.enum(AGENCIES),
    partnership,
    body: compactJose,
    respondedAt: z.iso.datetime(),
  })
  .strict();
export type QueryRespondedV1 = z.infer<typeof QueryRespondedV1>;

export const ANSWER_STATUSES = [
  'match',
  'possible-match',
  'no-match',
  'rejected',
  'failed',
] as const;
export type AnswerStatus = (typeof ANSWER_STATUSES)[number];

const recordValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

/** The signed content inside `QueryRespondedV1.body`. */
export const QueryAnswerV1 = z
  .object({
    queryId: uuid,
    agency: z.enum(AGENCIES),
    partnership,
    grantId: z.string().optional(),
    /** SHA-256 of the grant token this answers, so an answer cannot be moved to another request. */
    requestHash: z.string(),
    status: z.enum(ANSWER_STATUSES),
    match: z
      .object({
        confidence: z.number().min(0).max(1),
        method: z.string(),
        evidence: z
          .array(
            z.object({ field: z.string(), outcome: z.string(), weight: z.number().optional() }),
          )
          .optional(),
      })
      .optional(),
    records: z.record(z.string(), z.array(z.record(z.string(), recordValue))).optional(),
    rejection: z.object({ code: z.string(), message: z.string() }).optional(),
    /** How fresh the source data searched was (its matching index's last refresh), when known. */
    dataAsOf: z.iso.datetime().optional(),
    respondedAt: z.iso.datetime(),
  })
  .strict();
export type QueryAnswerV1 = z.infer<typeof QueryAnswerV1>;

/** Broker -> adapter: the MASH decision on a case this agency contributed to or referred. */
export const CaseOutcomeV1 = z
  .object({
    type: z.literal('case.outcome'),
    version: z.literal(1),
    messageId: uuid,
    outcomeId: uuid,
    caseId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    /** JWE to the agency of the broker's JWS over `CaseOutcomeBodyV1`. */
    body: compactJose,
    decidedAt: z.iso.datetime(),
  })
  .strict();
export type CaseOutcomeV1 = z.infer<typeof CaseOutcomeV1>;

export const CASE_OUTCOMES = [
  'nfa',
  'early-help',
  's17-assessment',
  's47-strategy',
  'police-action',
  'other',
] as const;

/**
 * What `CaseOutcomeV1.body` carries: a JWS by the broker's signing key, encrypted to the agency
 * (sign-then-encrypt, as answers). It names its own outcome, case, partnership and agency, so a
 * genuine body cannot be moved into another envelope.
 */
export const CaseOutcomeBodyV1 = z
  .object({
    outcomeId: uuid,
    caseId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    outcome: z.enum(CASE_OUTCOMES),
    decidedAt: z.iso.datetime(),
    subjectRef: z.string().min(1).max(100).optional(),
  })
  .strict();
export type CaseOutcomeBodyV1 = z.infer<typeof CaseOutcomeBodyV1>;

export const CaseOutcomeAcknowledgedV1 = z
  .object({
    type: z.literal('case.outcome.acknowledged'),
    version: z.literal(1),
    messageId: uuid,
    outcomeId: uuid,
    caseId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    recordedAt: z.iso.datetime(),
  })
  .strict();
export type CaseOutcomeAcknowledgedV1 = z.infer<typeof CaseOutcomeAcknowledgedV1>;

export const MEETING_KINDS = ['daily-mash', 'strategy-discussion'] as const;

/**
 * Broker -> adapter: an action a daily MASH meeting or strategy discussion gave this agency on a
 * case. Delivered, acknowledged and redelivered exactly as `CaseOutcomeV1`; the adapter records it
 * once by `actionId`. The action's words are inside `body` only.
 */
export const CaseActionV1 = z
  .object({
    type: z.literal('case.action'),
    version: z.literal(1),
    messageId: uuid,
    actionId: uuid,
    meetingId: uuid,
    caseId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    /** JWE to the agency of the broker's JWS over `CaseActionBodyV1`. */
    body: compactJose,
    decidedAt: z.iso.datetime(),
  })
  .strict();
export type CaseActionV1 = z.infer<typeof CaseActionV1>;

/** What `CaseActionV1.body` carries, signed by the broker and encrypted to the agency. */
export const CaseActionBodyV1 = z
  .object({
    actionId: uuid,
    meetingId: uuid,
    caseId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    meetingKind: z.enum(MEETING_KINDS),
    /** What the agency is to do, in the meeting's words. */
    action: z.string().min(1).max(2000),
    dueAt: z.iso.datetime(),
    decidedAt: z.iso.datetime(),
  })
  .strict();
export type CaseActionBodyV1 = z.infer<typeof CaseActionBodyV1>;

export const CaseActionAcknowledgedV1 = z
  .object({
    type: z.literal('case.action.acknowledged'),
    version: z.literal(1),
    messageId: uuid,
    actionId: uuid,
    caseId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    recordedAt: z.iso.datetime(),
  })
  .strict();
export type CaseActionAcknowledgedV1 = z.infer<typeof CaseActionAcknowledgedV1>;

/** Adapter -> audit log: an agency-side event, signed (JWS) by the agency. No personal data. */
export const AgencyAuditEventV1 = z
  .object({
    type: z.literal('audit.agency-event'),
    version: z.literal(1),
    messageId: uuid,
    agency: z.enum(AGENCIES),
    partnership,
    /** JWS over `{ action, outcome, queryId?, grantId?, reason?, details }`. */
    signed: compactJose,
    occurredAt: z.iso.datetime(),
  })
  .strict();
export type AgencyAuditEventV1 = z.infer<typeof AgencyAuditEventV1>;

/** What `AgencyAuditEventV1.signed` carries, as the agency signed it. */
export const AgencyAuditContentV1 = z
  .object({
    agency: z.enum(AGENCIES),
    partnership,
    action: z
      .string()
      .max(100)
      .regex(/^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/),
    outcome: z.enum(['success', 'failure']),
    details: z.record(z.string(), z.unknown()),
    occurredAt: z.iso.datetime(),
  })
  .strict();
export type AgencyAuditContentV1 = z.infer<typeof AgencyAuditContentV1>;

export const AuditCheckpointV1 = z
  .object({
    type: z.literal('audit.checkpoint'),
    version: z.literal(1),
    chainId: z.string(),
    chainSeq: z.number().int().nonnegative(),
    headHash: z.string(),
    signedAt: z.iso.datetime(),
    kid: z.string(),
    signature: z.string(),
  })
  .strict();

export const CaseDeadlineApproachingV1 = z
  .object({
    type: z.literal('case.deadline.approaching'),
    version: z.literal(1),
    messageId: uuid,
    caseId: uuid,
    partnership,
    rag: z.enum(['red', 'amber', 'green']),
    dueAt: z.iso.datetime(),
  })
  .strict();

export const AGREEMENT_LIFECYCLE_STATUSES = ['draft', 'active', 'suspended', 'expired'] as const;

/**
 * Broker -> adapter on `Topics.agreementStatus(agency)`: an agreement version's lifecycle status.
 * Only `signed` is trusted: a JWS (typ `AGREEMENT_STATUS_JWS_TYPE`) by the broker's signing key
 * over `AgreementStatusClaimsV1`; the outer fields only route and index the message.
 */
export const AgreementStatusChangedV1 = z
  .object({
    type: z.literal('agreement.status.changed'),
    version: z.literal(1),
    messageId: uuid,
    partnership,
    agency: z.enum(AGENCIES),
    agreementId: uuid,
    agreementVersion: z.number().int().positive(),
    signed: compactJose,
  })
  .strict();
export type AgreementStatusChangedV1 = z.infer<typeof AgreementStatusChangedV1>;

export const AGREEMENT_STATUS_JWS_TYPE = 'mash-agreement-status+jws';

export const AgreementStatusClaimsV1 = z
  .object({
    partnership,
    agency: z.enum(AGENCIES),
    agreementId: uuid,
    agreementVersion: z.number().int().positive(),
    status: z.enum(AGREEMENT_LIFECYCLE_STATUSES),
    hash: z.string().regex(/^[0-9a-f]{64}$/),
    changedAt: z.iso.datetime(),
    issuedAt: z.iso.datetime(),
  })
  .strict();
export type AgreementStatusClaimsV1 = z.infer<typeof AgreementStatusClaimsV1>;

/**
 * Adapter -> broker on `Topics.adapterHeartbeat(agency)`, every few seconds: the adapter is alive.
 * Only `signed` is trusted: a JWS (typ `ADAPTER_HEARTBEAT_JWS_TYPE`) by the agency's signing key
 * over `AdapterHeartbeatClaimsV1`. No personal data.
 */
export const AdapterHeartbeatV1 = z
  .object({
    type: z.literal('adapter.heartbeat'),
    version: z.literal(1),
    messageId: uuid,
    agency: z.enum(AGENCIES),
    signed: compactJose,
    sentAt: z.iso.datetime(),
  })
  .strict();
export type AdapterHeartbeatV1 = z.infer<typeof AdapterHeartbeatV1>;

export const ADAPTER_HEARTBEAT_JWS_TYPE = 'mash-adapter-heartbeat+jws';

export const AdapterHeartbeatClaimsV1 = z
  .object({
    agency: z.enum(AGENCIES),
    /** Which process of the adapter (a host or pod name), for operators; not an identity. */
    instance: z.string().min(1).max(100),
    /** The adapter's software version. */
    adapterVersion: z.string().min(1).max(50),
    /** How fresh the source data is (the matching index's last refresh); null when unknown. */
    dataAsOf: z.iso.datetime().nullable(),
    /** The adapter beats every this many seconds. */
    intervalSeconds: z.number().int().positive().max(3600),
    sentAt: z.iso.datetime(),
  })
  .strict();
export type AdapterHeartbeatClaimsV1 = z.infer<typeof AdapterHeartbeatClaimsV1>;
