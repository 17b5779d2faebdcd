export * from './errors';
export * from './types';
export { canonicalJson, type JsonValue } from '@mash/contracts';
export {
  canonicalForm,
  canonicalObject,
  entryHash,
  unsequencedHash,
  GENESIS_PREV_HASH,
} from './hash';
export { AuditSchema1700000000000 } from './audit-schema.migration';
export { AuditSequencing1765000000000 } from './audit-sequencing.migration';
export { AuditMerkle1765010000000 } from './audit-merkle.migration';
export { AuditIndexes1766100000000 } from './audit-indexes.migration';
export { AuditPendingGuard1766400000000 } from './audit-pending-guard.migration';
export { AuditEventEntity, AuditCheckpointEntity, AuditPendingEntity } from './audit.entities';
export { AUDIT_ENTITIES, AUDIT_MIGRATIONS } from './schema';
export { queryRows, type AuditDatabase, type AuditTransaction, type SqlExecutor } from './executor';
export {
  AuditLog,
  INSERT_SQL,
  entryFields,
  insertParams,
  type AuditLogOptions,
  type AppendOptions,
  type UnsequencedEntry,
} from './audit-log';
export {
  AuditSequencer,
  AuditSequencerError,
  startAuditSequencer,
  type AuditSequencerMetrics,
  type AuditSequencerOptions,
} from './sequencer';
export {
  nhsPseudonym,
  subjectPseudonym,
  type PseudonymCriteria,
  type SubjectPseudonyms,
} from './pseudonym';
export * from './checkpoint';
export * from './merkle';
export * from './proofs';
export * from './verify';
export * from './query';
export { AuditModule } from './audit.module';
