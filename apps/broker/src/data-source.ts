import { DataSource, type DataSourceOptions } from 'typeorm';
import { AuditCheckpointEntity, AuditEventEntity, AuditSchema1700000000000 } from '@mash/audit';
import { AgreementVersionEntity } from './agreements/agreement.entity';
import { CaseEntity } from './cases/case.entity';
import { ConsentDecisionEntity } from './cases/consent.entity';
import { OutboxMessageEntity } from './outbox/outbox.entity';
import { QueryAgencyEntity, QueryEntity } from './queries/query.entity';
import { BrokerSchema1764160000000 } from './migrations/1764160000000-BrokerSchema';

export const BROKER_ENTITIES = [
  CaseEntity,
  ConsentDecisionEntity,
  QueryEntity,
  QueryAgencyEntity,
  OutboxMessageEntity,
  AgreementVersionEntity,
  AuditEventEntity,
  AuditCheckpointEntity,
];

export const BROKER_MIGRATIONS = [AuditSchema1700000000000, BrokerSchema1764160000000];

export function brokerDataSourceOptions(url: string): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: BROKER_ENTITIES,
    migrations: BROKER_MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
  };
}

/** For the TypeORM CLI and the migration check. */
export default new DataSource(brokerDataSourceOptions(process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/mash_broker'));
