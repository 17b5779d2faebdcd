import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { CompactSign } from 'jose';
import { ConfigResourceTypes, Kafka, type KafkaConfig } from 'kafkajs';
import {
  AGENCIES,
  AGREEMENT_STATUS_JWS_TYPE,
  Topics,
  type Agency,
  type AgreementStatusChangedV1,
  type AgreementStatusClaimsV1,
  kafkaRecord,
} from '@mash/contracts';
import { SIGNING_ALG, type LoadedKey } from '@mash/trust';
import type { KafkaRecord } from '../kafka/kafka.producer';
import type { AgreementVersionEntity } from './agreement.entity';

const encoder = new TextEncoder();

/** The Kafka key of a version's status: compaction keeps the latest status of each version. */
export function agreementStatusKey(agreementId: string, version: number): string {
  return `${agreementId}@${version}`;
}

/**
 * The status message for one agreement version, signed (JWS) by the broker, for the outbox.
 * Written in the same transaction as the status change, so the change and its announcement to
 * the adapters commit together.
 */
export async function agreementStatusRecord(
  signer: LoadedKey,
  row: Pick<
    AgreementVersionEntity,
    'agreementId' | 'version' | 'partnership' | 'agency' | 'status' | 'hash'
  >,
  changedAt: Date,
): Promise<KafkaRecord> {
  const agency = row.agency as Agency;
  const claims: AgreementStatusClaimsV1 = {
    partnership: row.partnership,
    agency,
    agreementId: row.agreementId,
    agreementVersion: row.version,
    status: row.status,
    hash: row.hash,
    changedAt: changedAt.toISOString(),
    issuedAt: new Date().toISOString(),
  };
  const signed = await new CompactSign(encoder.encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ: AGREEMENT_STATUS_JWS_TYPE })
    .sign(signer.privateKey);
  const message: AgreementStatusChangedV1 = {
    type: 'agreement.status.changed',
    version: 1,
    messageId: randomUUID(),
    partnership: row.partnership,
    agency,
    agreementId: row.agreementId,
    agreementVersion: row.version,
    signed,
  };
  return kafkaRecord(
    Topics.agreementStatus(agency),
    agreementStatusKey(row.agreementId, row.version),
    message,
    { correlationId: row.agreementId },
  );
}

/**
 * Makes the status topics compacted: the latest status of every version is kept forever, older
 * ones are cleaned. Best effort (the topics work uncompacted; they only grow).
 */
export async function compactStatusTopics(kafka: KafkaConfig, logger: Logger): Promise<void> {
  const admin = new Kafka(kafka).admin();
  try {
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: AGENCIES.map((agency) => ({
        type: ConfigResourceTypes.TOPIC,
        name: Topics.agreementStatus(agency),
        configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
      })),
    });
  } catch (error) {
    logger.warn(
      `could not make the agreement status topics compacted: ${error instanceof Error ? error.name : 'error'}`,
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
