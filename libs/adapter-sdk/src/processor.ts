import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  QueryRequestedV1,
  SubjectCriteriaSchema,
  Topics,
  deadLetterRecord,
  parseMessage,
  type Agency,
  type QueryAnswerV1,
  type QueryRespondedV1,
  type SubjectCriteria,
  kafkaRecord,
} from '@mash/contracts';
import {
  TrustError,
  criteriaHash,
  decryptJson,
  sealSigned,
  sha256,
  verifyGrant,
  type SealedCriteria,
  type ServiceKeys,
  type VerifiedGrant,
} from '@mash/trust';
import type { JwksClient, RawKafkaMessage } from '@mash/common';
import { inSpan } from '@mash/tracing';
import { minimise, type CategoryObligation } from '@mash/policy';
import type { SourceConnector, SourceRecord } from './connector';
import { GrantLedgerEntry } from './ledger';
import type { Publisher } from './publisher';
import type { AgencyAuditBatch, AgencyAuditPublisher } from './audit';
import type { AdapterMetrics } from './metrics';
import type { AgreementStatusGate } from './agreement-status';
import type { SourceFreshness } from './heartbeat';

export type IncomingMessage = RawKafkaMessage;

export type ProcessOutcome =
  | { kind: 'dead-lettered'; reason: string }
  | { kind: 'rejected'; code: string }
  | { kind: 'answered'; status: QueryAnswerV1['status'] }
  | { kind: 'redelivered' };

/**
 * Handles one query request: validates, verifies the grant BEFORE the source is touched,
 * refuses replays, looks the subject up, minimises to what the grant permits, signs and
 * encrypts the answer to the broker. Never throws for bad input: bad messages go to the DLQ.
 */
export class QueryRequestProcessor {
  constructor(
    private readonly agency: Agency,
    private readonly connector: SourceConnector,
    private readonly keys: ServiceKeys,
    private readonly brokerJwks: JwksClient,
    private readonly dataSource: DataSource,
    private readonly publisher: Publisher,
    private readonly audit: AgencyAuditPublisher,
    private readonly metrics: AdapterMetrics,
    private readonly agreementStatus?: AgreementStatusGate,
    private readonly freshness?: SourceFreshness,
  ) {}

  async process(message: IncomingMessage): Promise<ProcessOutcome> {
    const parsed = parseMessage(QueryRequestedV1, message.value);
    if (!parsed.ok) return this.deadLetter(message, parsed.reason);
    const request = parsed.value;
    if (request.agency !== this.agency)
      return this.deadLetter(message, 'request for another agency');

    let grant: VerifiedGrant;
    let criteria: SubjectCriteria;
    try {
      grant = await verifyGrant(request.grant, this.brokerJwks.getKey, this.agency);
      if (grant.queryId !== request.queryId || grant.partnership !== request.partnership) {
        throw new TrustError('GRANT.MISMATCH', 'grant names another query or partnership');
      }
      const sealed = await decryptJson<SealedCriteria<unknown>>(request.criteria, this.keys);
      const valid = SubjectCriteriaSchema.safeParse(sealed?.criteria);
      if (!valid.success || typeof sealed.nonce !== 'string') {
        throw new TrustError('GRANT.CRITERIA_MALFORMED', 'search criteria are not valid');
      }
      if (criteriaHash(sealed) !== grant.criteriaHash) {
        throw new TrustError('GRANT.CRITERIA_MISMATCH', 'grant was issued for another subject');
      }
      criteria = valid.data;
    } catch (error) {
      const code = error instanceof TrustError ? error.code : 'GRANT.INVALID';
      return this.reject(request, code, undefined);
    }

    // A grant issued under a version since suspended or replaced is refused before the source is read.
    const refusal = await this.agreementStatus?.refusalFor(request.partnership, grant.agreement);
    if (refusal) return this.reject(request, refusal, grant.grantId);

    const claim = await this.claimGrant(grant, request);
    if (claim === 'replayed') return this.reject(request, 'GRANT.REPLAYED', grant.grantId);
    if (typeof claim === 'object') {
      await this.publishReply(request, claim.body);
      return { kind: 'redelivered' };
    }

    // What this request records goes to Kafka in one produce request, before the answer is stored
    // or sent: nothing leaves the agency ahead of its audit events.
    const audit = this.audit.batch();
    await audit.add(request.partnership, 'agency.grant.verified', 'success', {
      queryId: request.queryId,
      caseId: grant.caseRef,
      grantId: grant.grantId,
      requestedBy: grant.requestedBy,
      purpose: grant.purpose,
      agreement: grant.agreement,
    });
    const answer = await this.answer(request, grant, criteria, audit);
    await audit.flush();
    const body = await sealSigned(answer, this.keys.signing, await this.brokerJwks.encryptionKey());
    await this.dataSource
      .getRepository(GrantLedgerEntry)
      .update(
        { grantId: grant.grantId },
        { status: 'answered', replyBody: body, answeredAt: new Date() },
      );
    await this.publishReply(request, body);
    this.metrics.requests.inc({ outcome: answer.status });
    return { kind: 'answered', status: answer.status };
  }

  /**
   * Records the grant id before the source is read. A second use of the id is a replay, except
   * the same Kafka message delivered again after a crash, which gets the stored reply.
   */
  private async claimGrant(
    grant: VerifiedGrant,
    request: QueryRequestedV1,
  ): Promise<'claimed' | 'replayed' | { body: string }> {
    const repo = this.dataSource.getRepository(GrantLedgerEntry);
    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values({
        grantId: grant.grantId,
        messageId: request.messageId,
        queryId: request.queryId,
        partnership: request.partnership,
        status: 'processing',
      })
      .orIgnore()
      .execute();
    if ((inserted.raw as unknown[]).length > 0) return 'claimed';
    const existing = await repo.findOneBy({ grantId: grant.grantId });
    if (existing && existing.messageId === request.messageId && existing.replyBody) {
      return { body: existing.replyBody };
    }
    // Same message but no stored reply: a crash mid-answer. Answer now rather than lose it.
    if (existing && existing.messageId === request.messageId) return 'claimed';
    return 'replayed';
  }

  private async answer(
    request: QueryRequestedV1,
    grant: VerifiedGrant,
    criteria: SubjectCriteria,
    audit: AgencyAuditBatch,
  ): Promise<QueryAnswerV1> {
    const base = {
      queryId: request.queryId,
      agency: this.agency,
      partnership: request.partnership,
      grantId: grant.grantId,
      requestHash: sha256(request.grant),
      ...(this.freshness?.current() ? { dataAsOf: this.freshness.current() as string } : {}),
      respondedAt: new Date().toISOString(),
    };
    try {
      const found = await inSpan(
        'source.find-subject',
        { attributes: { 'mash.agency': this.agency } },
        async (span) => {
          const result = await this.connector.findSubject(criteria);
          span.setAttribute('mash.match.status', result.status);
          return result;
        },
      );
      await audit.add(request.partnership, 'agency.source.searched', 'success', {
        queryId: request.queryId,
        grantId: grant.grantId,
        requestedBy: grant.requestedBy,
        matchStatus: found.status,
        method: found.method,
        confidence: found.confidence,
      });
      const match = {
        confidence: found.confidence,
        method: found.method,
        evidence: found.evidence,
      };
      if (found.status !== 'match' || !found.subjectRef) {
        // A possible match releases no records: the analyst must add identifiers and ask again.
        return {
          ...base,
          status: found.status === 'match' ? 'possible-match' : found.status,
          match,
        };
      }
      const names = grant.categories
        .map((c) => c.name)
        .filter((c) => this.connector.categories.includes(c));
      const subjectRef = found.subjectRef;
      const raw =
        names.length > 0
          ? await inSpan(
              'source.fetch-records',
              { attributes: { 'mash.agency': this.agency, 'mash.categories': names.length } },
              () => this.connector.fetchRecords(subjectRef, names),
            )
          : {};
      // Defence in depth: the adapter applies the grant's minimisation itself before data leaves.
      const records: Record<string, SourceRecord[]> = minimise(raw, {
        categories: grant.categories as CategoryObligation[],
        retentionDays: 0,
        justificationRequired: false,
      });
      await audit.add(request.partnership, 'agency.records.released', 'success', {
        queryId: request.queryId,
        grantId: grant.grantId,
        categories: Object.fromEntries(Object.entries(records).map(([k, v]) => [k, v.length])),
        agreement: grant.agreement,
      });
      return { ...base, status: 'match', match, records };
    } catch {
      this.metrics.sourceErrors.inc();
      return {
        ...base,
        status: 'failed',
        rejection: { code: 'SOURCE.UNAVAILABLE', message: 'source system error' },
      };
    }
  }

  private async reject(
    request: QueryRequestedV1,
    code: string,
    grantId: string | undefined,
  ): Promise<ProcessOutcome> {
    this.metrics.rejections.inc({ code });
    await this.audit.record(request.partnership, 'agency.grant.rejected', 'failure', {
      queryId: request.queryId,
      grantId,
      reason: code,
    });
    const answer: QueryAnswerV1 = {
      queryId: request.queryId,
      agency: this.agency,
      partnership: request.partnership,
      grantId,
      requestHash: sha256(request.grant),
      status: 'rejected',
      rejection: { code, message: 'the request was refused before the source was searched' },
      respondedAt: new Date().toISOString(),
    };
    try {
      const body = await sealSigned(
        answer,
        this.keys.signing,
        await this.brokerJwks.encryptionKey(),
      );
      await this.publishReply(request, body);
    } catch {
      // Without the broker's key the rejection cannot be sealed; the audit event stands.
    }
    return { kind: 'rejected', code };
  }

  private async publishReply(request: QueryRequestedV1, body: string): Promise<void> {
    const reply: QueryRespondedV1 = {
      type: 'query.responded',
      version: 1,
      messageId: randomUUID(),
      queryId: request.queryId,
      agency: this.agency,
      partnership: request.partnership,
      body,
      respondedAt: new Date().toISOString(),
    };
    const { topic, ...record } = kafkaRecord(
      Topics.queryResponded(this.agency),
      request.queryId,
      reply,
      { correlationId: request.queryId },
    );
    await this.publisher.publish(topic, record);
  }

  private async deadLetter(message: IncomingMessage, reason: string): Promise<ProcessOutcome> {
    this.metrics.deadLettered.inc();
    const { topic, ...record } = deadLetterRecord(message, reason, randomUUID);
    await this.publisher.publish(topic, record);
    return { kind: 'dead-lettered', reason };
  }
}
