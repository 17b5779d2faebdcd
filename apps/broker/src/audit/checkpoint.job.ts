import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { z } from 'zod';
import { AuditSequencer, Checkpointer, type SignedCheckpoint } from '@mash/audit';
import { Topics, type AuditCheckpointV1, kafkaRecord } from '@mash/contracts';
import { IntervalJob } from '../common/interval-job';
import { JobClaimRepository } from '../common/job-claim.repository';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import type { KafkaRecord } from '../kafka/kafka.producer';

const SHUTDOWN_CHECKPOINT_MS = 5_000;

/**
 * Signs each partnership chain's head every AUDIT_CHECKPOINT_INTERVAL_SECONDS (and once at
 * shutdown), keeping three copies: the `audit_checkpoint` table, the append-only file
 * AUDIT_CHECKPOINT_FILE, and `mash.audit.checkpoint.v1`. The copies outside the database are what
 * expose a rewrite of a whole chain or a dropped tail. With several broker instances, each pass
 * is claimed in `job_claim` first, so one instance publishes per interval.
 */
@Injectable()
export class AuditCheckpointJob
  extends IntervalJob<SignedCheckpoint[]>
  implements BeforeApplicationShutdown
{
  private last: Promise<unknown> = Promise.resolve();
  private readonly intervalMs: number;

  constructor(
    @Inject(BROKER_CONFIG) config: BrokerConfig,
    private readonly claims: JobClaimRepository,
    /** Signs and stores chain heads and publishes them (`audit.providers.ts`). */
    private readonly checkpointer: Checkpointer,
    /**
     * Gives chain positions to the entries AuditService writes unsequenced. Every instance runs
     * one; one leads (an advisory lock inside `@mash/audit`).
     */
    readonly sequencer: AuditSequencer,
  ) {
    super('audit.checkpoints', config.auditCheckpointIntervalSeconds * 1000, []);
    this.intervalMs = config.auditCheckpointIntervalSeconds * 1000;
  }

  override onApplicationBootstrap(): void {
    this.sequencer.start();
    super.onApplicationBootstrap();
  }

  /** One instance per interval: the one that claims the pass. */
  protected async run(): Promise<SignedCheckpoint[]> {
    if (!(await this.claims.claim(this.name, this.intervalMs))) return [];
    return this.checkpointNow();
  }

  /** Checkpoints every chain whose head moved; runs one at a time. */
  checkpointNow(): Promise<SignedCheckpoint[]> {
    const run = this.last.then(() => this.checkpointer.checkpointAll());
    this.last = run.catch(() => undefined);
    return run;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.onApplicationShutdown();
    // The tail written since the last tick gets a checkpoint too, so `npm run audit -- verify`
    // after a stop covers everything; bounded, so a dead Kafka cannot hold the shutdown.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      // Sequence what is waiting first, so the final checkpoint covers it.
      this.sequencer
        .stop()
        .then(() => this.checkpointNow())
        .catch((error: unknown) =>
          this.logger.warn(
            `final audit checkpoint failed: ${error instanceof Error ? error.message : 'unknown error'}`,
          ),
        ),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_CHECKPOINT_MS))),
    ]);
    clearTimeout(timer);
  }
}

/** The Kafka record of a signed checkpoint (`mash.audit.checkpoint.v1`). */
export function checkpointRecord(cp: SignedCheckpoint): KafkaRecord {
  const message: z.infer<typeof AuditCheckpointV1> = {
    type: 'audit.checkpoint',
    version: 1,
    ...cp,
  };
  return kafkaRecord(Topics.auditCheckpoint, cp.chainId, message, { messageId: randomUUID() });
}
