import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  kafkaRecord,
  Topics,
  type Agency,
  type QueryRequestedV1,
  type SubjectCriteria,
} from '@mash/contracts';
import type { Decision } from '@mash/policy';
import { criteriaHash, encryptFor, sealCriteria, sha256, signGrant } from '@mash/trust';
import type { AuditEventInput } from '@mash/audit';
import { AuditService } from '../audit/audit.service';
import type { Tx } from '../common/transactions';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import type { KafkaRecord } from '../kafka/kafka.producer';
import { AgencyDirectory } from '../keys/agency-directory';
import { BrokerKeys } from '../keys/broker-keys';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { OutboxService } from '../outbox/outbox.service';

/** One agency's permitted part of a query, ready to be signed and sent. */
export interface DispatchRequest {
  partnership: string;
  caseId: string;
  queryId: string;
  /** Permitted for this agency: its purpose, agreement, gateways and categories go in the grant. */
  decision: Decision;
  /** The person asked about: the subject or a household member. One grant per person. */
  subject: SubjectCriteria;
  /** Their `case_member` id, for the audit entry. */
  memberId?: string;
  requestedBy: string;
  requestedRole: string;
  deadlineAt: Date;
  now: Date;
  /** The subject's pseudonyms for the audit entry, when the caller has them. */
  subjectPseudonyms?: string[];
  /** How long it waited in the capacity queue, for the audit entry of a release. */
  queuedMs?: number;
}

/** A signed request: its Kafka record and what the part stores to recognise the answer. */
export interface Dispatch {
  request: DispatchRequest;
  record: KafkaRecord;
  grantId: string;
  requestHash: string;
}

/**
 * The one way a request leaves the broker, for a new query and for a capacity release alike:
 * `build` seals the criteria for the agency and signs the grant; `commit`, inside the caller's
 * transaction (with the part's new state), writes the `query.dispatched` audit entry and puts the
 * record in the outbox; `sent`, after the commit, wakes the relay and counts it.
 */
@Injectable()
export class QueryDispatcher {
  constructor(
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly directory: AgencyDirectory,
    private readonly outbox: OutboxService,
    private readonly audit: AuditService,
    private readonly metrics: BrokerMetrics,
  ) {}

  /**
   * Throws a `DomainError` when the request cannot be made, and anything else when the agency's
   * keys cannot be fetched (its adapter is not up).
   */
  async build(request: DispatchRequest): Promise<Dispatch> {
    const { decision, partnership, queryId } = request;
    const agency = decision.agency as Agency;
    const agencyKeys = this.directory.keysFor(partnership, agency);
    const sealed = sealCriteria(request.subject);
    const criteria = await encryptFor(sealed, await agencyKeys.encryptionKey());
    const { token, grantId } = await signGrant(
      {
        queryId,
        caseRef: request.caseId,
        partnership,
        agency,
        purpose: decision.purpose,
        legalGateways: decision.legalGateways.map((g) => g.code),
        agreement: decision.agreement as { id: string; version: number; hash: string },
        categories: decision.obligations.categories,
        requestedBy: { sub: request.requestedBy, role: request.requestedRole, partnership },
        criteriaHash: criteriaHash(sealed),
      },
      this.keys.broker.signing,
      this.config.grantTtlSeconds,
    );
    const message: QueryRequestedV1 = {
      type: 'query.requested',
      version: 1,
      messageId: randomUUID(),
      queryId,
      agency,
      partnership,
      grant: token,
      criteria,
      deadline: request.deadlineAt.toISOString(),
      issuedAt: request.now.toISOString(),
    };
    return {
      request,
      grantId,
      requestHash: sha256(token),
      record: kafkaRecord(Topics.queryRequested(agency), queryId, message, {
        correlationId: queryId,
      }),
    };
  }

  /**
   * Audits the dispatches and queues their records, in the caller's transaction. `entries` are
   * the caller's own audit entries for the same change, written first in the same statement;
   * `caseStatus`, where the caller read it, goes in every entry so the log need not read it again.
   */
  async commit(
    tx: Tx,
    dispatches: Dispatch[],
    { entries = [], caseStatus }: { entries?: AuditEventInput[]; caseStatus?: string } = {},
  ): Promise<void> {
    const all = [...entries, ...dispatches.map(dispatchedEvent)];
    if (all.length === 0) return;
    await this.audit.record(
      caseStatus === undefined
        ? all
        : all.map((e) => ({ ...e, details: { ...e.details, caseStatus } })),
      tx,
    );
    if (dispatches.length > 0)
      await this.outbox.enqueue(
        tx,
        dispatches.map((d) => d.record),
      );
  }

  /** After the commit: publish now rather than at the relay's next poll. */
  sent(dispatches: Dispatch[]): void {
    if (dispatches.length === 0) return;
    this.outbox.kick();
    for (const d of dispatches) this.metrics.dispatched.inc({ agency: d.request.decision.agency });
  }
}

function dispatchedEvent({ request, grantId }: Dispatch): AuditEventInput {
  return {
    partnership: request.partnership,
    actorType: 'service',
    actorId: 'broker',
    action: 'query.dispatched',
    outcome: 'success',
    caseId: request.caseId,
    queryId: request.queryId,
    agency: request.decision.agency,
    ...(request.subjectPseudonyms ? { subjectPseudonyms: request.subjectPseudonyms } : {}),
    details: {
      grantId,
      ...(request.memberId ? { memberId: request.memberId } : {}),
      agreement: request.decision.agreement ?? null,
      requestedBy: request.requestedBy,
      requestedRole: request.requestedRole,
      ...(request.queuedMs === undefined ? {} : { queuedMs: request.queuedMs }),
    },
  };
}
