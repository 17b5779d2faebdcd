import { Logger, type Provider } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditSequencer, Checkpointer } from '@mash/audit';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { KafkaProducer } from '../kafka/kafka.producer';
import { BrokerKeys } from '../keys/broker-keys';
import { checkpointRecord } from './checkpoint.job';

/**
 * The audit library's writers that hold the broker database, wired here so the checkpoint job
 * takes them ready-made: the `Checkpointer` signs chain heads and publishes each checkpoint to
 * Kafka; the `AuditSequencer` gives chain positions to the entries AuditService writes
 * unsequenced (every instance runs one; one leads, by an advisory lock inside `@mash/audit`).
 */
export const AUDIT_CHECKPOINT_PROVIDERS: Provider[] = [
  {
    provide: Checkpointer,
    useFactory: (
      dataSource: DataSource,
      config: BrokerConfig,
      keys: BrokerKeys,
      producer: KafkaProducer,
    ) =>
      new Checkpointer(dataSource, {
        key: keys.auditSigningKey(),
        file: config.auditCheckpointFile,
        publish: (cp) => producer.send(checkpointRecord(cp)),
      }),
    inject: [getDataSourceToken(), BROKER_CONFIG, BrokerKeys, KafkaProducer],
  },
  {
    provide: AuditSequencer,
    useFactory: (dataSource: DataSource) => {
      const logger = new Logger('audit.checkpoints');
      return new AuditSequencer(dataSource, {
        // A pass costs eight statements however few entries it moves: a quarter of a second
        // between passes under load keeps that to four passes a second (the library's 100 ms
        // made it a tenth of the broker's statements near saturation). Searches sequence what
        // waits first, so this delays only chain positions, never what an auditor sees.
        idleMs: 250,
        onError: (error) =>
          logger.error(
            `audit sequencing failed: ${error instanceof Error ? error.message : 'unknown error'}`,
          ),
      });
    },
    inject: [getDataSourceToken()],
  },
];
