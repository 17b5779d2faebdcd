import { Module, type DynamicModule } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditLog, type AuditLogOptions } from './audit-log';
import { AuditQuery } from './query';

/**
 * Nest wiring for a broker that already imports `TypeOrmModule.forRoot(...)`: provides `AuditLog`
 * and `AuditQuery` on the default `DataSource`. The migration (`AuditSchema1700000000000`) must be
 * in the broker's migration list. Checkpoint scheduling is left to the app (it owns the key and Kafka).
 */
@Module({})
export class AuditModule {
  static forRoot(options: AuditLogOptions & { readonly global?: boolean } = {}): DynamicModule {
    return {
      module: AuditModule,
      global: options.global ?? false,
      providers: [
        {
          provide: AuditLog,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new AuditLog(ds, options),
        },
        {
          provide: AuditQuery,
          inject: [DataSource],
          useFactory: (ds: DataSource) => new AuditQuery(ds),
        },
      ],
      exports: [AuditLog, AuditQuery],
    };
  }
}
