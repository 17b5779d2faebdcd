import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, NotFoundError } from '@mash/common';
import {
  compareMatrices,
  localDateOf,
  loadThresholdMatrices,
  NoMatrixError,
  readThresholdDocument,
  thresholdMatrixHash,
  type ThresholdMatrix,
  ThresholdMatrixRegistry,
  validateThresholdMatrix,
} from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { primaryRole, type Principal } from '../auth/principal';
import { brokerError } from '../common/errors';
import { Transactions } from '../common/transactions';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import type { ThresholdVersionEntity } from './threshold.entity';
import { ThresholdRepository } from './threshold.repository';
import { ThresholdService } from './threshold.service';

/** Where a version stands today: a draft, activated but not yet effective, in force, or replaced. */
export type VersionStatus = 'draft' | 'scheduled' | 'in-force' | 'superseded';

export interface ThresholdVersionView {
  partnership: string;
  version: number;
  status: VersionStatus;
  effectiveFrom: string;
  hash: string;
  source: string;
  createdBy: string;
  createdAt: string;
  activatedBy: string | null;
  activatedAt: string | null;
  content?: ThresholdMatrix;
}

/** One side of a comparison, as the caller named it (see `parseSide`). */
export type Side =
  | { kind: 'version'; version: number }
  | { kind: 'current' }
  | { kind: 'partnership'; partnership: string }
  | { kind: 'baseline'; name: string };

const SIDE =
  /^(?:(?<version>[1-9]\d{0,8})|(?<current>current)|partnership:(?<partnership>[a-z][a-z0-9-]{0,63})|baseline:(?<baseline>[a-z][a-z0-9-]{0,63}))$/;

/** `3` (a version of the caller's partnership), `current`, `partnership:<id>` or `baseline:<name>`. */
export function parseSide(text: string): Side | undefined {
  const g = SIDE.exec(text)?.groups;
  if (!g) return undefined;
  if (g.version) return { kind: 'version', version: Number(g.version) };
  if (g.current) return { kind: 'current' };
  if (g.partnership) return { kind: 'partnership', partnership: g.partnership };
  return { kind: 'baseline', name: g.baseline };
}

/**
 * The partnership's threshold matrices as versions, like its agreements: a manager drafts one
 * (the file format, YAML or JSON), a different manager activates it from a local date, every
 * step audited; and the comparison of two matrices side by side.
 */
@Injectable()
export class ThresholdVersionsService {
  private readonly baselines: ThresholdMatrixRegistry;

  constructor(
    private readonly repo: ThresholdRepository,
    private readonly thresholds: ThresholdService,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
    private readonly clock: Clock,
  ) {
    const dir = join(config.thresholdsDir, 'baselines');
    this.baselines = existsSync(dir) ? loadThresholdMatrices(dir) : new ThresholdMatrixRegistry([]);
  }

  async list(user: Principal) {
    await this.thresholds.ensureSeeded(user.partnership);
    const rows = await this.repo.list(user.partnership);
    const views = this.views(rows);
    return {
      partnership: user.partnership,
      published: await this.repo.published(user.partnership),
      inForce: views.find((v) => v.status === 'in-force')?.version ?? null,
      versions: views,
      baselines: this.baselines.partnerships(),
    };
  }

  async get(user: Principal, version: number): Promise<ThresholdVersionView> {
    await this.thresholds.ensureSeeded(user.partnership);
    const rows = await this.repo.list(user.partnership);
    const view = this.views(rows, true).find((v) => v.version === version);
    if (!view) throw new NotFoundError('threshold');
    return view;
  }

  /**
   * A new version as a draft: the matrix file's YAML or JSON (a string) or its object. The
   * partnership is the caller's (a file naming another is refused) and the version, when left
   * out, is the next number; versions only go up.
   */
  async draft(user: Principal, body: unknown): Promise<ThresholdVersionView> {
    await this.thresholds.ensureSeeded(user.partnership);
    const document = typeof body === 'string' ? readThresholdDocument('request body', body) : body;
    if (typeof document !== 'object' || document === null || Array.isArray(document))
      throw brokerError(
        'REQUEST.INVALID',
        'request body: expected a threshold matrix (YAML or JSON object)',
      );
    const given = document as Record<string, unknown>;
    if (given.partnership !== undefined && given.partnership !== user.partnership)
      throw brokerError(
        'THRESHOLD.PARTNERSHIP_MISMATCH',
        `request body: partnership: the matrix names ${JSON.stringify(String(given.partnership).slice(0, 64))}, but you work for ${user.partnership}`,
      );
    const row = await this.transactions.run(async (tx) => {
      await this.repo.lockPartnership(user.partnership, tx);
      const latest = (await this.repo.list(user.partnership, tx))[0]?.version ?? 0;
      const matrix = validateThresholdMatrix('request body', {
        ...given,
        partnership: user.partnership,
        version: given.version ?? latest + 1,
      });
      if (matrix.version <= latest)
        throw brokerError(
          'THRESHOLD.VERSION_NOT_NEWER',
          `request body: version: the partnership already has version ${latest}; versions are never reused, so draft version ${latest + 1} (or leave version out)`,
        );
      const entity = {
        partnership: user.partnership,
        version: matrix.version,
        status: 'draft' as const,
        content: matrix,
        hash: thresholdMatrixHash(matrix),
        effectiveFrom: matrix.effectiveFrom,
        source: 'api',
        createdBy: user.sub,
        createdAt: this.clock.now(),
        activatedBy: null,
        activatedAt: null,
      } satisfies ThresholdVersionEntity;
      await this.repo.insert(entity, tx);
      await this.audit.record(
        this.event(user, 'threshold.drafted', matrix.version, {
          hash: entity.hash,
          effectiveFrom: entity.effectiveFrom,
        }),
        tx,
      );
      return entity;
    });
    return this.view(row, 'draft', true);
  }

  /**
   * Activates a draft, effective from a local date (the draft's own unless `effectiveFrom` is
   * given): never before today, nor before the date of a version already activated, so the
   * version in force only moves forward and a referral already rated keeps its version. The
   * activating manager must not be the one who drafted it.
   */
  async activate(
    user: Principal,
    version: number,
    effectiveFrom?: string,
  ): Promise<ThresholdVersionView> {
    const drafted = await this.repo.get(user.partnership, version);
    if (drafted.status === 'draft' && drafted.createdBy === user.sub) {
      // Recorded outside any transaction: the refusal itself is what the auditor needs to see.
      await this.audit.record({
        ...this.event(user, 'threshold.activation-refused', version, { hash: drafted.hash }),
        outcome: 'deny',
      });
      throw brokerError(
        'THRESHOLD.SECOND_MANAGER_REQUIRED',
        'a threshold matrix is activated by a manager other than the one who drafted it',
      );
    }
    await this.transactions.run(async (tx) => {
      await this.repo.lockPartnership(user.partnership, tx);
      const draft = await this.repo.get(user.partnership, version, tx, true);
      if (draft.status !== 'draft')
        throw brokerError('THRESHOLD.NOT_DRAFT', `version ${version} is already active`);
      const active = await this.repo.active(user.partnership, tx);
      const newest = active[0];
      if (newest && newest.version > version)
        throw brokerError(
          'THRESHOLD.VERSION_NOT_NEWER',
          `version ${newest.version} is already active; draft a version above it instead`,
        );
      const from = effectiveFrom ?? draft.effectiveFrom;
      const timeZone = draft.content.workingHours.timeZone;
      const today = localDateOf(this.clock.now(), timeZone);
      const floor = [today, ...(newest ? [newest.effectiveFrom] : [])].sort().at(-1) as string;
      if (from < floor)
        throw brokerError(
          'THRESHOLD.EFFECTIVE_TOO_EARLY',
          `effectiveFrom: ${from} is before ${floor} (${from < today ? `today in ${timeZone}` : `the date version ${newest?.version} takes effect`}); referrals already rated keep their version, so a new one can only start from ${floor} or later`,
        );
      const content = validateThresholdMatrix('draft', { ...draft.content, effectiveFrom: from });
      const patch = {
        content,
        effectiveFrom: from,
        hash: thresholdMatrixHash(content),
        activatedBy: user.sub,
        activatedAt: this.clock.now(),
      };
      await this.repo.activate(user.partnership, version, patch, tx);
      await this.audit.record(
        this.event(user, 'threshold.activated', version, {
          hash: patch.hash,
          effectiveFrom: from,
          draftedBy: draft.createdBy,
          follows: newest?.version ?? null,
        }),
        tx,
      );
    });
    await this.thresholds.reload(user.partnership);
    return this.get(user, version);
  }

  /** Whether other partnerships may compare against this partnership's matrix in force. */
  async setPublished(user: Principal, published: boolean) {
    await this.transactions.run(async (tx) => {
      await this.repo.setPublished(
        {
          partnership: user.partnership,
          published,
          changedBy: user.sub,
          changedAt: this.clock.now(),
        },
        tx,
      );
      await this.audit.record(
        {
          partnership: user.partnership,
          actorType: 'user',
          actorId: user.sub,
          actorRole: 'manager',
          action: 'threshold.publication-changed',
          outcome: 'success',
          details: { published },
        },
        tx,
      );
    });
    return { partnership: user.partnership, published };
  }

  /** Two matrices side by side, per concern; the view is audited (it may cross partnerships). */
  async compare(user: Principal, left: Side, right: Side) {
    const [l, r] = [await this.resolve(user, left), await this.resolve(user, right)];
    const result = {
      left: l.describe,
      right: r.describe,
      ...compareMatrices(l.matrix, r.matrix),
    };
    await this.audit.record({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: primaryRole(user, ['manager', 'analyst', 'auditor']),
      action: 'threshold.compared',
      outcome: 'success',
      details: { left: l.describe, right: r.describe, summary: result.summary },
    });
    return result;
  }

  private async resolve(user: Principal, side: Side) {
    const now = this.clock.now();
    const describe = (matrix: ThresholdMatrix, kind: Side['kind']) => ({
      kind,
      partnership: matrix.partnership,
      version: matrix.version,
      effectiveFrom: matrix.effectiveFrom,
    });
    switch (side.kind) {
      case 'version': {
        await this.thresholds.ensureSeeded(user.partnership);
        const row = await this.repo.get(user.partnership, side.version);
        return {
          matrix: row.content,
          describe: { ...describe(row.content, side.kind), status: row.status },
        };
      }
      case 'current': {
        const matrix = await this.thresholds.matrixAt(user.partnership, now);
        return { matrix, describe: describe(matrix, side.kind) };
      }
      case 'partnership': {
        if (side.partnership !== user.partnership && !(await this.repo.published(side.partnership)))
          throw brokerError(
            'THRESHOLD.NOT_PUBLISHED',
            `partnership ${side.partnership} does not publish its threshold matrix; compare with a regional baseline (baseline:<name>) instead`,
          );
        const matrix = await this.thresholds.matrixAt(side.partnership, now);
        return { matrix, describe: describe(matrix, side.kind) };
      }
      case 'baseline': {
        let matrix: ThresholdMatrix;
        try {
          matrix = this.baselines.inForce(side.name, now);
        } catch (e) {
          if (e instanceof NoMatrixError)
            throw brokerError(
              'THRESHOLD.NOT_FOUND',
              `no baseline ${side.name} is in force; known baselines: ${this.baselines.partnerships().join(', ') || 'none'}`,
            );
          throw e;
        }
        return { matrix, describe: describe(matrix, side.kind) };
      }
    }
  }

  /** Views of a partnership's versions (newest first), with where each stands today. */
  private views(rows: ThresholdVersionEntity[], withContent = false): ThresholdVersionView[] {
    const sorted = [...rows].sort((a, b) => b.version - a.version);
    const now = this.clock.now();
    // The in-force version: the highest active one whose date has come (as the registry picks it).
    const inForce = sorted.find(
      (r) =>
        r.status === 'active' &&
        localDateOf(now, r.content.workingHours.timeZone) >= r.effectiveFrom,
    );
    return sorted.map((r) => {
      const status: VersionStatus =
        r.status === 'draft'
          ? 'draft'
          : r === inForce
            ? 'in-force'
            : inForce && r.version < inForce.version
              ? 'superseded'
              : 'scheduled';
      return this.view(r, status, withContent);
    });
  }

  private view(
    r: ThresholdVersionEntity,
    status: VersionStatus,
    withContent: boolean,
  ): ThresholdVersionView {
    return {
      partnership: r.partnership,
      version: r.version,
      status,
      effectiveFrom: r.effectiveFrom,
      hash: r.hash,
      source: r.source,
      createdBy: r.createdBy,
      createdAt: r.createdAt.toISOString(),
      activatedBy: r.activatedBy,
      activatedAt: r.activatedAt?.toISOString() ?? null,
      ...(withContent ? { content: r.content } : {}),
    };
  }

  private event(
    user: Principal,
    action: string,
    version: number,
    details: Record<string, unknown>,
  ) {
    return {
      partnership: user.partnership,
      actorType: 'user' as const,
      actorId: user.sub,
      actorRole: 'manager',
      action,
      outcome: 'success' as const,
      details: { version, ...details },
    };
  }
}
