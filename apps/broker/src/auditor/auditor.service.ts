import { existsSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { Inject, Injectable } from '@nestjs/common';
import Holidays from 'date-holidays';
import {
  AuditError,
  AuditQuery,
  checkConsistencyProof,
  checkInclusionProof,
  checkpointSourcesOf,
  nhsPseudonym,
  parsePublicKeys,
  readCheckpointFile,
  remedyFor,
  subjectPseudonym,
  verifyCheckpointSignature,
  type AuditEntry,
  type AuditEventInput,
  type AuditFilter,
  type ConsistencyProof,
  type InclusionProof,
  type Page,
  type SignedCheckpoint,
  type VerifyFailureReason,
} from '@mash/audit';
import type { Principal } from '../auth/principal';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerKeys } from '../keys/broker-keys';
import { AuditContextRepository } from '../audit/audit-context.repository';
import { AuditService } from '../audit/audit.service';
import { AuditStoreRepository } from './audit-store.repository';
import type {
  ConsistencyProofQuery,
  InclusionProofQuery,
  AuditEventsQuery,
  AuditReportQuery,
  AuditVerifyQuery,
  PseudonymRequest,
  ReportName,
} from './auditor.dto';
import { brokerError } from '../common/errors';

export type EventsResult =
  | { kind: 'page'; page: Page<AuditEntry> }
  | { kind: 'export'; stream: Readable; contentType: string; filename: string };

/** A proof with the signed heads it is checked against (null: that tree size was never signed). */
export type InclusionProofReport = InclusionProof & {
  checkpoint: SignedCheckpoint | null;
  /** The broker's own check against the signed root; an auditor repeats it (`npm run audit -- check-proof`). */
  verified: boolean | null;
};
export type ConsistencyProofReport = ConsistencyProof & {
  firstCheckpoint: SignedCheckpoint | null;
  secondCheckpoint: SignedCheckpoint | null;
  verified: boolean | null;
};

export interface VerifyReport {
  ok: boolean;
  chainId: string;
  /** Chain positions verified (null: from the start / to the head). */
  range: { fromSeq: number | null; toSeq: number | null };
  checked: number;
  checkpointsChecked: number;
  checkpointSources: {
    file: 'read' | 'missing' | 'unreadable';
    fileCheckpoints: number;
    storedCheckpoints: number;
  };
  firstFailure?: {
    seq: number | null;
    chainId: string;
    chainSeq: number;
    reason: VerifyFailureReason | 'checkpoint-file-unreadable';
    explanation: string;
    /** For a checkpoint failure: which copies hold the checkpoint that disagreed. */
    checkpointSources?: Array<'file' | 'database'>;
    /** What to do about it (docs/audit.md, "When verification fails"). */
    remedy: string;
    entry?: { occurredAt: string; action: string; actorId: string } | null;
  };
  verifiedAt: string;
}

const EXPLANATIONS: Record<VerifyFailureReason | 'checkpoint-file-unreadable', string> = {
  'hash-mismatch':
    'the entry was changed after it was written: its contents no longer give its recorded hash',
  'prev-hash-mismatch': 'the link to the previous entry is broken: an entry before it was replaced',
  gap: 'an entry is missing at this position: it was deleted',
  reordered:
    'entries are out of order at this position: rows were moved, or a forged row was slipped in',
  'checkpoint-mismatch':
    'the chain differs from what a signed checkpoint recorded: it was rewritten and re-hashed, or the database was recreated while an older checkpoint copy was kept',
  'checkpoint-signature-invalid':
    'a checkpoint does not verify against the published checkpoint key: it was forged or edited',
  truncated:
    'a signed checkpoint names a position beyond the end of the chain: entries were dropped from the end',
  'checkpoint-file-unreadable':
    'the checkpoint file holds a line that is not a checkpoint: it was edited',
};

/** Actions that touch a child's records, for the "no open case" report. */
const ACCESS_ACTIONS = ['query.*', 'case.viewed', 'record.*'];

/**
 * The auditor's view of the log: search and export, integrity verification and reports, always
 * within the auditor's own partnership. Every use is itself recorded before its result is shown
 * (fail closed, like any other access).
 */
@Injectable()
export class AuditorService {
  constructor(
    private readonly store: AuditStoreRepository,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BrokerKeys) private readonly keys: BrokerKeys,
    private readonly audit: AuditService,
    private readonly context: AuditContextRepository,
    // The audit library's reader over the broker database, provided by the module.
    private readonly query: AuditQuery,
  ) {}

  async events(user: Principal, q: AuditEventsQuery, correlationId: string): Promise<EventsResult> {
    const filter = this.filterOf(user, q);
    if (q.format === 'json') {
      const page = await this.library(() =>
        this.query.search(filter, { limit: q.limit, cursor: q.cursor, order: q.order }),
      );
      await this.recordUse(user, 'audit.searched', correlationId, q, {
        returned: page.items.length,
        page: q.cursor ? 'next' : 'first',
      });
      return { kind: 'page', page };
    }
    await this.recordUse(user, 'audit.exported', correlationId, q, { format: q.format });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const filename = `audit-${user.partnership}-${stamp}.${q.format}`;
    return q.format === 'csv'
      ? {
          kind: 'export',
          stream: this.query.exportCsv(filter),
          contentType: 'text/csv; charset=utf-8',
          filename,
        }
      : {
          kind: 'export',
          stream: this.query.exportJsonLines(filter),
          contentType: 'application/x-ndjson; charset=utf-8',
          filename,
        };
  }

  /** Verifies the auditor's partnership chain (or a range of it) against every published checkpoint. */
  async verify(user: Principal, q: AuditVerifyQuery, correlationId: string): Promise<VerifyReport> {
    const chainId = user.partnership;
    const range = await this.rangeOf(chainId, q);
    const verifiedAt = new Date().toISOString();
    // An empty range checks nothing, but still says what the checkpoint copies hold.
    const report = await this.verifyRange(chainId, range === 'empty' ? 'empty' : range, verifiedAt);
    await this.recordUse(
      user,
      'audit.verified',
      correlationId,
      null,
      {
        range: report.range,
        checked: report.checked,
        checkpointsChecked: report.checkpointsChecked,
        firstFailure: report.firstFailure
          ? { chainSeq: report.firstFailure.chainSeq, reason: report.firstFailure.reason }
          : null,
      },
      report.ok ? 'success' : 'failure',
    );
    return report;
  }

  /**
   * RFC 9162 inclusion proof of one entry of the auditor's chain, by default in the tree of the
   * latest signed head. O(tree size): every entry hash up to it is read.
   */
  async inclusionProof(
    user: Principal,
    q: InclusionProofQuery,
    correlationId: string,
  ): Promise<InclusionProofReport> {
    const heads = await this.signedHeads(user.partnership);
    const proof = await this.library(() =>
      this.store.proveInclusion(user.partnership, q.position, q.treeSize ?? heads.at(-1)?.chainSeq),
    );
    const checkpoint = heads.find((h) => h.chainSeq === proof.treeSize) ?? null;
    const verified = checkpoint ? checkInclusionProof(proof, checkpoint.rootHash!) : null;
    await this.recordUse(user, 'audit.proved', correlationId, null, {
      proof: 'inclusion',
      position: proof.chainSeq,
      treeSize: proof.treeSize,
      verified,
    });
    return { ...proof, checkpoint, verified };
  }

  /** RFC 9162 consistency proof: the tree of `from` entries is a prefix of the tree of `to`. */
  async consistencyProof(
    user: Principal,
    q: ConsistencyProofQuery,
    correlationId: string,
  ): Promise<ConsistencyProofReport> {
    const heads = await this.signedHeads(user.partnership);
    const proof = await this.library(() =>
      this.store.proveConsistency(user.partnership, q.from, q.to ?? heads.at(-1)?.chainSeq),
    );
    const firstCheckpoint = heads.find((h) => h.chainSeq === proof.firstSize) ?? null;
    const secondCheckpoint = heads.find((h) => h.chainSeq === proof.secondSize) ?? null;
    const verified =
      firstCheckpoint && secondCheckpoint
        ? checkConsistencyProof(proof, firstCheckpoint.rootHash!, secondCheckpoint.rootHash!)
        : null;
    await this.recordUse(user, 'audit.proved', correlationId, null, {
      proof: 'consistency',
      firstSize: proof.firstSize,
      secondSize: proof.secondSize,
      verified,
    });
    return { ...proof, firstCheckpoint, secondCheckpoint, verified };
  }

  /** Stored checkpoints of a chain that carry a Merkle root and verify under the broker's keys, oldest first. */
  private async signedHeads(chainId: string): Promise<SignedCheckpoint[]> {
    const keys = parsePublicKeys(this.keys.auditVerificationJwks());
    return (await this.store.storedCheckpoints(chainId))
      .filter((c) => c.rootHash !== undefined && verifyCheckpointSignature(c, keys))
      .sort((a, b) => a.chainSeq - b.chainSeq);
  }

  async report(
    user: Principal,
    name: ReportName,
    q: AuditReportQuery,
    correlationId: string,
  ): Promise<{
    report: ReportName;
    partnership: string;
    generatedAt: string;
    items: unknown[];
    nextCursor?: string | null;
  }> {
    const p = user.partnership;
    const range = { from: q.from, to: q.to };
    let items: unknown[];
    let nextCursor: string | null | undefined;
    switch (name) {
      case 'subject-accesses': {
        if (!q.subject)
          throw brokerError(
            'AUDIT.SUBJECT_REQUIRED',
            'this report needs subject=<pseudonym token> (see POST /api/v1/audit/pseudonym)',
          );
        const subject = q.subject;
        const page = await this.library(() =>
          this.query.accessesToSubject(p, subject, range, {
            limit: q.limit,
            cursor: q.cursor,
            order: 'asc',
          }),
        );
        items = page.items;
        nextCursor = page.nextCursor;
        break;
      }
      case 'no-open-case':
        items = await this.library(() =>
          this.query.accessesWithoutOpenCase(p, {
            ...range,
            actions: ACCESS_ACTIONS,
            limit: q.limit,
          }),
        );
        break;
      case 'out-of-hours':
        items = await this.library(() =>
          this.query.outOfHours(p, {
            ...range,
            workdayStart: q.workdayStart,
            workdayEnd: q.workdayEnd,
            timeZone: 'Europe/London',
            holidays: bankHolidays(q.from, q.to),
            limit: q.limit,
          }),
        );
        break;
      case 'unusual-volume':
        items = await this.library(() =>
          this.query.unusualVolume(p, {
            ...range,
            threshold: q.threshold,
            zScore: q.zScore,
            timeZone: 'Europe/London',
          }),
        );
        break;
      case 'denied-then-retried':
        items = await this.library(() =>
          this.query.deniedThenRetried(p, {
            ...range,
            withinMinutes: q.withinMinutes,
            limit: q.limit,
          }),
        );
        break;
    }
    const { subject: _subject, cursor: _cursor, ...parameters } = q;
    await this.recordUse(
      user,
      'audit.report.viewed',
      correlationId,
      null,
      {
        report: name,
        parameters: { ...parameters, from: q.from?.toISOString(), to: q.to?.toISOString() },
        returned: items.length,
      },
      'success',
      q.subject ? [q.subject] : undefined,
    );
    return {
      report: name,
      partnership: p,
      generatedAt: new Date().toISOString(),
      items,
      ...(nextCursor !== undefined ? { nextCursor } : {}),
    };
  }

  /** The tokens under which the log knows a child; computing them is itself recorded. */
  async pseudonym(
    user: Principal,
    body: PseudonymRequest,
    correlationId: string,
  ): Promise<{ tokens: string[]; nhs?: string; nameDob?: string }> {
    const key = this.keys.pseudonymKey(user.partnership);
    const nhs = body.nhsNumber === undefined ? undefined : nhsPseudonym(key, body.nhsNumber);
    const nameDob =
      body.givenName !== undefined &&
      body.familyName !== undefined &&
      body.dateOfBirth !== undefined
        ? subjectPseudonym(key, {
            givenName: body.givenName,
            familyName: body.familyName,
            dateOfBirth: body.dateOfBirth,
          }).nameDob
        : undefined;
    const tokens = [nhs, nameDob].filter((t): t is string => t !== undefined);
    await this.recordUse(
      user,
      'audit.pseudonym.computed',
      correlationId,
      null,
      { from: [nhs && 'nhs-number', nameDob && 'name-and-date-of-birth'].filter(Boolean) },
      'success',
      tokens,
    );
    return { tokens, ...(nhs ? { nhs } : {}), ...(nameDob ? { nameDob } : {}) };
  }

  private filterOf(user: Principal, q: AuditEventsQuery): AuditFilter {
    return {
      // Always the token's partnership: an auditor never sees another partnership's events.
      partnership: user.partnership,
      actorId: q.actor,
      caseId: q.case,
      queryId: q.query,
      correlationId: q.correlation,
      subjectPseudonym: q.subject,
      agency: q.agency,
      action: q.action,
      outcome: q.outcome,
      from: q.from,
      to: q.to,
    };
  }

  private async rangeOf(
    chainId: string,
    q: AuditVerifyQuery,
  ): Promise<{ fromSeq?: number; toSeq?: number } | 'empty'> {
    if (q.from === undefined && q.to === undefined) return {};
    if (typeof q.from !== 'object' && typeof q.to !== 'object') {
      if (q.from !== undefined && q.to !== undefined && q.from > q.to)
        throw brokerError('AUDIT.INVALID_RANGE', 'from must not be after to');
      return { fromSeq: q.from, toSeq: q.to };
    }
    if (typeof q.from === 'number' || typeof q.to === 'number') {
      throw brokerError(
        'AUDIT.INVALID_RANGE',
        'give from and to both as chain positions or both as times',
      );
    }
    const positions = await this.context.positionsBetween(chainId, q.from, q.to);
    return positions === null ? 'empty' : { fromSeq: positions.first, toSeq: positions.last };
  }

  private async verifyRange(
    chainId: string,
    range: { fromSeq?: number; toSeq?: number } | 'empty',
    verifiedAt: string,
  ): Promise<VerifyReport> {
    const sources: VerifyReport['checkpointSources'] = {
      file: 'missing',
      fileCheckpoints: 0,
      storedCheckpoints: 0,
    };
    const outRange =
      range === 'empty'
        ? { fromSeq: null, toSeq: null }
        : { fromSeq: range.fromSeq ?? null, toSeq: range.toSeq ?? null };
    const checkpoints: SignedCheckpoint[] = [];
    let fromFile: SignedCheckpoint[] = [];
    if (existsSync(this.config.auditCheckpointFile)) {
      try {
        fromFile = (await readCheckpointFile(this.config.auditCheckpointFile)).filter(
          (c) => c.chainId === chainId,
        );
        checkpoints.push(...fromFile);
        sources.file = 'read';
        sources.fileCheckpoints = fromFile.length;
      } catch {
        sources.file = 'unreadable';
        return {
          ok: false,
          chainId,
          range: outRange,
          checked: 0,
          checkpointsChecked: 0,
          checkpointSources: sources,
          firstFailure: {
            seq: null,
            chainId,
            chainSeq: 0,
            reason: 'checkpoint-file-unreadable',
            explanation: EXPLANATIONS['checkpoint-file-unreadable'],
            remedy: remedyFor('checkpoint-file-unreadable'),
          },
          verifiedAt,
        };
      }
    }
    const stored = await this.store.storedCheckpoints(chainId);
    checkpoints.push(...stored);
    sources.storedCheckpoints = stored.length;
    if (range === 'empty')
      return {
        ok: true,
        chainId,
        range: outRange,
        checked: 0,
        checkpointsChecked: 0,
        checkpointSources: sources,
        verifiedAt,
      };
    const result = await this.store.verifyChain({
      chainId,
      fromSeq: range.fromSeq,
      toSeq: range.toSeq,
      checkpoints,
      publicKeys: parsePublicKeys(this.keys.auditVerificationJwks()),
    });
    const report: VerifyReport = {
      ok: result.ok,
      chainId,
      range: outRange,
      checked: result.checked,
      checkpointsChecked: result.checkpointsChecked,
      checkpointSources: sources,
      verifiedAt,
    };
    if (result.firstFailure) {
      const { checkpoint, ...f } = result.firstFailure;
      const disagreeing = checkpointSourcesOf(checkpoint, { file: fromFile, database: stored });
      report.firstFailure = {
        ...f,
        explanation: EXPLANATIONS[f.reason],
        ...(checkpoint
          ? {
              checkpointSources: disagreeing.filter((s): s is 'file' | 'database' => s !== 'other'),
            }
          : {}),
        remedy: remedyFor(f.reason, disagreeing),
        entry: f.seq === null ? null : await this.context.entryAt(f.chainId, f.seq),
      };
    }
    return report;
  }

  /** Records the auditor's own action before its result is returned; a failed write is a 503. */
  private recordUse(
    user: Principal,
    action: string,
    correlationId: string,
    q: AuditEventsQuery | null,
    details: Record<string, unknown>,
    outcome: AuditEventInput['outcome'] = 'success',
    subjectPseudonyms?: string[],
  ): Promise<void> {
    const filter = q
      ? {
          actor: q.actor,
          query: q.query,
          correlation: q.correlation,
          agency: q.agency,
          action: q.action,
          outcome: q.outcome,
          from: q.from?.toISOString(),
          to: q.to?.toISOString(),
          bySubject: q.subject !== undefined,
        }
      : undefined;
    return this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: 'auditor',
      action,
      outcome,
      caseId: q?.case,
      correlationId,
      subjectPseudonyms: subjectPseudonyms ?? (q?.subject ? [q.subject] : undefined),
      details: JSON.parse(JSON.stringify({ ...details, ...(filter ? { filter } : {}) })) as Record<
        string,
        unknown
      >,
    });
  }

  /** Library query errors (a bad cursor, bad hours) are the caller's: 400 with a stable code. */
  private async library<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof AuditError && error.code === 'AUDIT.INVALID_QUERY')
        throw brokerError('AUDIT.INVALID_QUERY', error.message);
      throw error;
    }
  }
}

/** England and Wales bank holidays (YYYY-MM-DD) for the years the range touches (default: this year and last). */
function bankHolidays(from?: Date, to?: Date): string[] {
  const now = new Date();
  const first = (from ?? new Date(Date.UTC(now.getUTCFullYear() - 1, 0, 1))).getUTCFullYear();
  const last = Math.min((to ?? now).getUTCFullYear(), first + 20);
  const calendar = new Holidays('GB', 'ENG');
  const days: string[] = [];
  for (let year = first; year <= last; year++) {
    for (const h of calendar.getHolidays(year))
      if (h.type === 'public') days.push(h.date.slice(0, 10));
  }
  return days;
}
