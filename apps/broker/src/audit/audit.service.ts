import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Tx } from '../common/transactions';
import { AuditLog, AuditWriteError, subjectPseudonym, type AuditEventInput } from '@mash/audit';
import type { SubjectCriteria } from '@mash/contracts';
import { currentCorrelationId } from '../common/correlation';
import { BrokerKeys } from '../keys/broker-keys';
import { AuditContextRepository, key, type CaseRef } from './audit-context.repository';
import { brokerError } from '../common/errors';

/**
 * The broker's door to the tamper-evident log. Writes that guard an access are awaited inside
 * the same transaction as the access (fail closed); a failed write is a 503 and nothing happens.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger('Audit');

  constructor(
    // Provided by the module (a test may provide one that fails, to prove accesses fail closed).
    private readonly log: AuditLog,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly context: AuditContextRepository,
  ) {}

  pseudonyms(partnership: string, subject: SubjectCriteria): string[] {
    return [...subjectPseudonym(this.keys.pseudonymKey(partnership), subject).tokens];
  }

  /** Records events; throws AUDIT.UNAVAILABLE when they cannot be written. */
  async record(events: AuditEventInput | AuditEventInput[], tx?: Tx): Promise<void> {
    const correlationId = currentCorrelationId();
    const list = (Array.isArray(events) ? events : [events]).map((e) =>
      e.correlationId || !correlationId ? e : { ...e, correlationId },
    );
    try {
      const enriched = await this.withCaseContext(list, tx);
      await this.log.record(enriched, tx ? { tx } : {});
    } catch (error) {
      // The cause names fields and SQL states only (AuditWriteError never carries values).
      const cause =
        error instanceof AuditWriteError
          ? `${error.message}${error.detail?.sqlState ? ` (SQLSTATE ${error.detail.sqlState})` : ''}`
          : error instanceof Error
            ? error.name
            : 'unknown error';
      this.logger.error(`audit write failed for ${list.map((e) => e.action).join(', ')}: ${cause}`);
      // An event the log refuses will be refused on every retry: say so, so consumers dead-letter it.
      if (error instanceof AuditWriteError && error.detail?.reason === 'invalid-event')
        throw brokerError('AUDIT.INVALID_EVENT', 'the audit event is not valid');
      throw brokerError(
        'AUDIT.UNAVAILABLE',
        'the audit log cannot be written, so the action was not carried out',
      );
    }
  }

  /**
   * After the commit that created a query: the case behind it, for the entries that will name
   * only the query (answers and agency events), so the first of them need not look it up.
   */
  queryCreated(partnership: string, queryId: string, caseId: string): void {
    this.context.rememberQueryCase(partnership, queryId, caseId);
  }

  /** For events that accompany no access (failed sign-ins): logged if the write fails, never thrown. */
  recordQuietly(event: AuditEventInput): void {
    this.record(event).catch(() => undefined);
  }

  /**
   * Adds what the caller knew but did not say: the case behind a query (answers and agency-side
   * events carry only the query id) and the case's status at the time (`details.caseStatus`), so
   * the "access with no open case" report reads it from the entry itself. Looked up in the
   * caller's transaction, within the event's own partnership only.
   */
  private async withCaseContext(list: AuditEventInput[], tx?: Tx): Promise<AuditEventInput[]> {
    const queryRefs: CaseRef[] = [];
    for (const e of list)
      if (e.partnership && !e.caseId && e.queryId)
        queryRefs.push({ partnership: e.partnership, id: e.queryId });
    const cases = await this.context.queryCases(queryRefs, tx);
    const withCase = list.map((e) => {
      const caseId =
        !e.caseId && e.partnership && e.queryId
          ? cases.get(key({ partnership: e.partnership, id: e.queryId }))
          : undefined;
      return caseId ? { ...e, caseId } : e;
    });
    const caseRefs: CaseRef[] = [];
    for (const e of withCase) {
      if (e.partnership && e.caseId && e.details?.caseStatus === undefined)
        caseRefs.push({ partnership: e.partnership, id: e.caseId });
    }
    const statuses = await this.context.caseStatuses(caseRefs, tx);
    // Views, releases and reports of a case's data concern its subject: give them the subject's
    // pseudonyms so "who looked at this child" (the subject-accesses report) finds them.
    const unnamed: CaseRef[] = [];
    for (const e of withCase)
      if (e.partnership && e.caseId && !e.subjectPseudonyms?.length)
        unnamed.push({ partnership: e.partnership, id: e.caseId });
    const pseudonyms = await this.context.casePseudonyms(unnamed, tx);
    return withCase.map((e) => {
      if (!e.partnership || !e.caseId) return e;
      const ref = key({ partnership: e.partnership, id: e.caseId });
      const status = e.details?.caseStatus === undefined ? statuses.get(ref) : undefined;
      const tokens = e.subjectPseudonyms?.length ? undefined : pseudonyms.get(ref);
      return {
        ...e,
        ...(tokens ? { subjectPseudonyms: tokens } : {}),
        ...(status ? { details: { ...e.details, caseStatus: status } } : {}),
      };
    });
  }
}
