import { AuditSchema1700000000000 } from './audit-schema.migration';
import { AuditSequencing1765000000000 } from './audit-sequencing.migration';
import { AuditMerkle1765010000000 } from './audit-merkle.migration';
import { AuditIndexes1766100000000 } from './audit-indexes.migration';
import { AuditPendingGuard1766400000000 } from './audit-pending-guard.migration';
import { AuditCheckpointEntity, AuditEventEntity, AuditPendingEntity } from './audit.entities';

/** Every audit table's entity, for an app's TypeORM `entities`. */
export const AUDIT_ENTITIES = [AuditEventEntity, AuditPendingEntity, AuditCheckpointEntity];

/** The audit migrations in order, for the head of an app's migration list. */
export const AUDIT_MIGRATIONS = [
  AuditSchema1700000000000,
  AuditSequencing1765000000000,
  AuditMerkle1765010000000,
  AuditIndexes1766100000000,
  AuditPendingGuard1766400000000,
];
