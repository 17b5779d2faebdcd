export * from './errors';
export * from './types';
export { canonicalJson, type JsonValue } from '@mash/contracts';
export { canonicalForm, canonicalObject, entryHash, GENESIS_PREV_HASH } from './hash';
export { AuditSchema1700000000000 } from './audit-schema.migration';
export { AuditEventEntity, AuditCheckpointEntity } from './audit.entities';
export { queryRows, type AuditDatabase, type AuditTransaction, type SqlExecutor } from './executor';
export {
  AuditLog,
  INSERT_SQL,
  insertParams,
  type AuditLogOptions,
  type AppendOptions,
} from './audit-log';
export {
  nhsPseudonym,
  subjectPseudonym,
  type PseudonymCriteria,
  type SubjectPseudonyms,
} from './pseudonym';
export * from './checkpoint';
export * from './verify';
export * from './query';
export { AuditModule } from './audit.module';
