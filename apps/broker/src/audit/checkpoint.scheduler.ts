import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  AuditSequencer,
  Checkpointer,
  scheduleCheckpoints,
  type CheckpointSchedule,
  type SignedCheckpoint,
} from '@mash/audit';
import { Topics, type AuditCheckpointV1, kafkaRecord } from '@mash/contracts';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { KafkaProducer } from '../kafka/kafka.producer';
import { BrokerKeys } from '../keys/broker-keys';

const SHUTDOWN_CHECKPOINT_MS = 5_000;

/**
 * Signs each partnership chain's head every AUDIT_CHECKPOINT_INTERVAL_SECONDS (and once at
 * shutdown), keeping three copies: the `audit_checkpoint` table, the append-only file
 * AUDIT_CHECKPOINT_FILE, and `mash.audit.checkpoint.v1`. The copies outside the database are what
 * expose a rewrite of a whole chain or a dropped tail.
 */
@Injectable()
export class AuditCheckpointScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AuditCheckpoints');
  private readonly checkpointer: Checkpointer;
  /**
   * Gives chain positions to the entries AuditService writes unsequenced. Every instance runs one;
   * one leads. TODO(issue 12): host this loop in the jobs kit rather than here.
   */
  readonly sequencer: AuditSequencer;
  private schedule: CheckpointSchedule | undefined;
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    @InjectDataSource() dataSource: DataSource,
    @Inject(BROKER_CONFIG) private readonly config: BrokerConfig,
    @Inject(BrokerKeys) keys: BrokerKeys,
    private readonly producer: KafkaProducer,
  ) {
    this.checkpointer = new Checkpointer(dataSource, {
      key: keys.auditSigningKey(),
      file: config.auditCheckpointFile,
      publish: (cp) => this.publish(cp),
    });
    this.sequencer = new AuditSequencer(dataSource, {
      onError: (error) =>
        this.logger.error(
          `audit sequencing failed: ${error instanceof Error ? error.message : 'unknown error'}`,
        ),
    });
  }

  onApplicationBootstrap(): void {
    this.sequencer.start();
    this.schedule = scheduleCheckpoints(
      { checkpointAll: () => this.checkpointNow() },
      {
        everySeconds: this.config.auditCheckpointIntervalSeconds,
        onError: (error) =>
          this.logger.warn(
            `audit checkpoint failed: ${error instanceof Error ? error.message : 'unknown error'}`,
          ),
      },
    );
  }

  /** Checkpoints every chain whose head moved; runs one at a time. */
  checkpointNow(): Promise<SignedCheckpoint[]> {
    const run = this.last.then(() => this.checkpointer.checkpointAll());
    this.last = run.catch(() => undefined);
    return run;
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.schedule?.stop();
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

  private async publish(cp: SignedCheckpoint): Promise<void> {
    const message: z.infer<typeof AuditCheckpointV1> = {
      type: 'audit.checkpoint',
      version: 1,
      ...cp,
    };
    await this.producer.send(
      kafkaRecord(Topics.auditCheckpoint, cp.chainId, message, { messageId: randomUUID() }),
    );
  }
}
