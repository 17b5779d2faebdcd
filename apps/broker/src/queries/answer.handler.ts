import { Clock } from '@mash/common';
import type { AuditEventInput } from '@mash/audit';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Transactions } from '../common/transactions';
import { QueryAnswerV1, QueryRespondedV1, parseMessage, type Agency } from '@mash/contracts';
import { minimise } from '@mash/policy';
import { TrustError, openSigned } from '@mash/trust';
import { AuditService } from '../audit/audit.service';
import { AgencyDirectory } from '../keys/agency-directory';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerKeys } from '../keys/broker-keys';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { DeadLetters, type RawMessage } from '../kafka/dead-letters';
import { GroupCommit } from '../common/group-commit';
import { currentCorrelationId } from '../common/correlation';
import type { AgencyStatus, QueryAgencyEntity } from './query.entity';
import { QueryRepository } from './query.repository';

export type AnswerOutcome = 'accepted' | 'duplicate' | 'rejected' | 'dead-lettered';

/** A verified answer, ready to be stored. */
interface Verified {
  part: QueryAgencyEntity;
  answer: QueryAnswerV1;
  status: AgencyStatus;
  recordsSealed: string | null;
  late: boolean;
  /** Of the message it came in: the batch is written in another message's context. */
  correlationId: string | undefined;
}

type Applied = Awaited<ReturnType<QueryRepository['applyAnswer']>>;

/**
 * Accepts an agency's answer only when it is for a query that exists, sealed to the broker,
 * signed by a key registered for that agency in that query's partnership, and bound to the
 * exact request (grant hash), while the request still takes answers (pending, or timed out within
 * the late-answer window) and the case's data has not been deleted. Anything else is refused and
 * audited; nothing is stored. A match under an agreement suspended since the request left is kept
 * as failed (`POLICY.AGREEMENT_NOT_IN_FORCE`), without its records.
 *
 * Checking an answer runs for each message as it arrives; storing it is a group commit. The
 * agencies asked answer at about the same time, on their own topics, and every answer to a query
 * takes the query's row lock until its transaction commits, so one at a time they queued on each
 * other. Answers that arrive while a transaction is being written are stored together in the next
 * one: one lock per query, one audit append, one status refresh per query.
 */
@Injectable()
export class AnswerHandler {
  private readonly logger = new Logger('Answers');
  private readonly commits = new GroupCommit<Verified, Applied>(
    (batch) => this.store(batch),
    64,
    (size) => this.metrics.answerBatch.observe(size),
  );

  constructor(
    private readonly transactions: Transactions,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly queries: QueryRepository,
    private readonly directory: AgencyDirectory,
    private readonly audit: AuditService,
    private readonly metrics: BrokerMetrics,
    private readonly deadLetters: DeadLetters,
    private readonly clock: Clock,
  ) {}

  async handle(topicAgency: Agency, message: RawMessage): Promise<AnswerOutcome> {
    const parsed = parseMessage(QueryRespondedV1, message.value);
    if (!parsed.ok) {
      await this.deadLetters.send(message, parsed.reason);
      return 'dead-lettered';
    }
    const envelope = parsed.value;
    if (envelope.agency !== topicAgency) return this.refuse(envelope, 'ANSWER.WRONG_TOPIC', null);
    // One part per person asked about; all of one query share its partnership.
    const parts = await this.queries.parts(envelope.queryId, envelope.agency);
    const first = parts[0];
    if (!first) return this.refuse(envelope, 'ANSWER.UNKNOWN_QUERY', null);
    let part = first;
    if (part.partnership !== envelope.partnership)
      return this.refuse(envelope, 'ANSWER.PARTNERSHIP_MISMATCH', part.partnership);

    let answer: QueryAnswerV1;
    try {
      const opened = await openSigned<unknown>(
        envelope.body,
        this.keys.broker,
        this.directory.keysFor(part.partnership, envelope.agency).getKey,
      );
      const valid = QueryAnswerV1.safeParse(opened.payload);
      if (!valid.success) throw new TrustError('ANSWER.MALFORMED', 'answer content is not valid');
      answer = valid.data;
    } catch (error) {
      return this.refuse(
        envelope,
        error instanceof TrustError ? error.code : 'ANSWER.UNVERIFIABLE',
        part.partnership,
      );
    }
    if (
      answer.queryId !== envelope.queryId ||
      answer.agency !== envelope.agency ||
      answer.partnership !== part.partnership
    ) {
      return this.refuse(envelope, 'ANSWER.ENVELOPE_MISMATCH', part.partnership);
    }
    // The request hash binds the answer to one grant, and so to one person on the case.
    const answered = parts.find((p) => p.requestHash && p.requestHash === answer.requestHash);
    if (!answered) {
      return this.refuse(envelope, 'ANSWER.REQUEST_HASH_MISMATCH', part.partnership);
    }
    part = answered;

    // A timed-out request takes a late answer for a while, not forever.
    const late = part.status === 'timed-out';
    if (
      late &&
      this.clock.now().getTime() >
        part.deadlineAt.getTime() + this.config.lateAnswerWindowSeconds * 1000
    )
      return this.refuse(envelope, 'ANSWER.TOO_LATE', part.partnership);

    const status: AgencyStatus = answer.status === 'rejected' ? 'failed' : answer.status;
    // Minimise again on arrival (defence in depth), then encrypt at rest. Whether the agreement is
    // still in force is settled in the transaction: what it no longer covers is not stored.
    const recordsSealed =
      status === 'match' && answer.records && part.obligations
        ? await this.keys.cipher.seal(minimise(answer.records, part.obligations))
        : null;
    const result = await this.commits.submit({
      part,
      answer,
      status,
      recordsSealed,
      late,
      correlationId: currentCorrelationId(),
    });
    if (result.outcome === 'purged')
      return this.refuse(envelope, 'ANSWER.CASE_PURGED', part.partnership);
    if (result.outcome === 'duplicate') return 'duplicate';
    this.metrics.answers.inc({ agency: part.agency, status: result.status });
    if (part.dispatchedAt)
      this.metrics.queryLatency.observe(
        { agency: part.agency },
        (this.clock.now().getTime() - part.dispatchedAt.getTime()) / 1000,
      );
    return 'accepted';
  }

  /** Answers waiting for the transaction in progress. */
  get waiting(): number {
    return this.commits.waiting;
  }

  /**
   * Stores a batch of verified answers in one transaction, with their audit entries. Query rows
   * are locked in one order (by query id), so batches on other broker instances cannot deadlock
   * with this one.
   */
  private store(batch: Verified[]): Promise<Applied[]> {
    const order = batch
      .map((item, index) => ({ item, index }))
      .sort(({ item: { part: a } }, { item: { part: b } }) =>
        a.queryId < b.queryId ? -1 : a.queryId > b.queryId ? 1 : 0,
      );
    return this.transactions.run(async (tx) => {
      const results: Applied[] = new Array(batch.length);
      const entries: AuditEventInput[] = [];
      const touched = new Set<string>();
      for (const { item, index } of order) {
        const { part, answer, status, late } = item;
        const applied = await this.queries.applyAnswer(
          part.partnership,
          part.queryId,
          part.agency,
          part.memberId,
          {
            status,
            match: answer.match
              ? {
                  confidence: answer.match.confidence,
                  method: answer.match.method,
                  evidence: answer.match.evidence,
                }
              : null,
            recordsSealed: item.recordsSealed,
            failureCode: answer.rejection?.code ?? null,
            respondedAt: new Date(answer.respondedAt),
            dataAsOf: answer.dataAsOf ? new Date(answer.dataAsOf) : null,
            late,
            agreement: part.agreement,
          },
          tx,
        );
        results[index] = applied;
        if (applied.outcome !== 'applied') continue;
        touched.add(part.queryId);
        entries.push({
          partnership: part.partnership,
          actorType: 'agency',
          actorId: part.agency,
          action: 'query.answer.received',
          outcome: applied.status === 'failed' ? 'failure' : 'success',
          queryId: part.queryId,
          caseId: applied.caseId,
          agency: part.agency,
          ...(item.correlationId ? { correlationId: item.correlationId } : {}),
          details: {
            memberId: part.memberId,
            status: applied.status,
            late,
            method: answer.match?.method ?? null,
            confidence: answer.match?.confidence ?? null,
            categories:
              applied.recordsStored && answer.records
                ? Object.fromEntries(Object.entries(answer.records).map(([k, v]) => [k, v.length]))
                : {},
            rejection: applied.failureCode,
            // Read just now, under the lock: the audit need not read it again.
            caseStatus: applied.caseStatus,
          },
        });
      }
      if (entries.length > 0) await this.audit.record(entries, tx);
      // Applying an answer changed a part's status, which took the query's row lock.
      for (const queryId of touched) await this.queries.refreshStatus(queryId, tx, true);
      return results;
    });
  }

  private async refuse(
    envelope: QueryRespondedV1,
    code: string,
    partnership: string | null,
  ): Promise<AnswerOutcome> {
    this.metrics.answersRejected.inc({ code });
    this.logger.warn(`answer refused: ${code} (${envelope.agency})`);
    await this.audit
      .record({
        partnership,
        actorType: 'agency',
        actorId: envelope.agency,
        action: 'query.answer.refused',
        outcome: 'failure',
        queryId: partnership ? envelope.queryId : null,
        agency: envelope.agency,
        details: { code, messageId: envelope.messageId },
      })
      .catch(() => undefined);
    return 'rejected';
  }
}
