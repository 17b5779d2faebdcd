import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { Clock } from '@mash/common';
import {
  loadThresholdMatrices,
  NoMatrixError,
  thresholdMatrixHash,
  type ThresholdMatrix,
  ThresholdMatrixRegistry,
} from '@mash/thresholds';
import { AuditService } from '../audit/audit.service';
import { Transactions } from '../common/transactions';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import type { ThresholdVersionEntity } from './threshold.entity';
import { ThresholdRepository } from './threshold.repository';

/** The partnership whose committed matrix a development partnership without one starts from. */
const DEMO = 'demo';

/**
 * The threshold matrix in force for a partnership at an instant, from the versions stored in
 * PostgreSQL. A partnership with no version at all is seeded with the committed file(s) under
 * `deploy/thresholds` (in dev, a partnership without a file of its own starts from the demo
 * partnership's, relabelled), so the file is version 1 and every later change goes through a
 * draft and a second manager's activation (`ThresholdVersionsService`).
 *
 * Rating a referral reads the partnership's versions afresh (`matrixAt`), so a version activated
 * on another broker instance applies at once. The synchronous `matrixFor`, for the capacity
 * window and the deadline warnings, reads the view this instance keeps, refreshed after every
 * activation here and by `ThresholdRefreshJob` for those made elsewhere.
 */
@Injectable()
export class ThresholdService implements OnApplicationBootstrap {
  private readonly files: ThresholdMatrixRegistry;
  private inMemory = new Map<string, ThresholdMatrixRegistry>();

  constructor(
    private readonly repo: ThresholdRepository,
    private readonly transactions: Transactions,
    private readonly audit: AuditService,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    private readonly clock: Clock,
  ) {
    this.files = loadThresholdMatrices(config.thresholdsDir);
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const partnership of this.files.partnerships()) await this.ensureSeeded(partnership);
    await this.reload();
  }

  /** The version in force at `at`, from this instance's view (may lag another instance's activation briefly). */
  matrixFor(partnership: string, at: Date): ThresholdMatrix {
    const registry = this.inMemory.get(partnership);
    if (registry) return registry.inForce(partnership, at);
    // Not seeded yet (its first referral seeds it): dev keeps the old fallback to the demo file.
    if (this.config.auth.mode === 'dev' && !this.files.partnerships().includes(partnership))
      return this.files.inForce(DEMO, at);
    return this.files.inForce(partnership, at);
  }

  /** The version in force at `at`, read from the database: what a referral is rated against. */
  async matrixAt(partnership: string, at: Date): Promise<ThresholdMatrix> {
    if (!this.inMemory.has(partnership)) await this.ensureSeeded(partnership);
    await this.reload(partnership);
    const registry = this.inMemory.get(partnership);
    if (!registry) throw new NoMatrixError(partnership);
    return registry.inForce(partnership, at);
  }

  /** An activated version, e.g. the one a case was rated under. */
  async matrixVersion(partnership: string, version: number): Promise<ThresholdMatrix> {
    const known = this.inMemory.get(partnership)?.version(partnership, version);
    if (known) return known;
    const row = await this.repo.get(partnership, version);
    if (row.status !== 'active') throw new NoMatrixError(partnership);
    return row.content;
  }

  /** Rebuilds this instance's view of the active versions (of one partnership, or all). */
  async reload(partnership?: string): Promise<void> {
    const rows = await this.repo.active(partnership);
    const grouped = new Map<string, ThresholdVersionEntity[]>();
    for (const row of rows)
      grouped.set(row.partnership, [...(grouped.get(row.partnership) ?? []), row]);
    const next = partnership ? new Map(this.inMemory) : new Map<string, ThresholdMatrixRegistry>();
    if (partnership) next.delete(partnership);
    for (const [p, list] of grouped)
      next.set(
        p,
        new ThresholdMatrixRegistry(
          list.map((r) => ({ file: `${p}@${r.version}`, matrix: r.content })),
        ),
      );
    this.inMemory = next;
  }

  /**
   * Brings a partnership's committed file(s) into the database: all of them when it has no
   * version at all (the seed; in dev a partnership without a file starts from the demo one), else
   * only file versions above every stored one (a newer file deployed, reviewed as code). Audited
   * as the broker's act. Returns whether anything was written.
   */
  async ensureSeeded(partnership: string): Promise<boolean> {
    const seed = this.seedFor(partnership);
    if (seed.length === 0) return false;
    const now = this.clock.now();
    return this.transactions.run(async (tx) => {
      const rows = seed.map(({ file, matrix }) => ({
        partnership,
        version: matrix.version,
        status: 'active' as const,
        content: matrix,
        hash: thresholdMatrixHash(matrix),
        effectiveFrom: matrix.effectiveFrom,
        source: `file:${file}`,
        createdBy: 'broker',
        activatedBy: 'broker',
        activatedAt: now,
      }));
      const written = await this.repo.insertNewer(partnership, rows, tx);
      if (written.length > 0)
        await this.audit.record(
          written.map((r) => ({
            partnership,
            actorType: 'service' as const,
            actorId: 'broker',
            action: 'threshold.seeded',
            outcome: 'success' as const,
            details: {
              version: r.version,
              hash: r.hash,
              effectiveFrom: r.effectiveFrom,
              source: r.source,
            },
          })),
          tx,
        );
      return written.length > 0;
    });
  }

  /** The committed versions a partnership starts from (the demo partnership's, relabelled, in dev). */
  private seedFor(partnership: string): Array<{ file: string; matrix: ThresholdMatrix }> {
    const own = this.filesOf(partnership);
    if (own.length > 0 || this.config.auth.mode !== 'dev') return own;
    return this.filesOf(DEMO).map(({ file, matrix }) => ({
      file,
      matrix: { ...matrix, partnership },
    }));
  }

  private filesOf(partnership: string): Array<{ file: string; matrix: ThresholdMatrix }> {
    return this.files.all(partnership);
  }
}
