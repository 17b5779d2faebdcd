import { Clock, loggerModule } from '@mash/common';
import { Global, Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { DestinationStream } from 'pino';
import { AuditLog, AuditQuery } from '@mash/audit';
import { GlobalExceptionFilter } from './common/exception.filter';
import { BROKER_CONFIG, type BrokerConfig } from './config/config';
import { brokerDataSourceOptions } from './data-source';
import { BrokerKeys } from './keys/broker-keys';

/** What a test may put in place of the real thing (never set in production). */
export interface BrokerModuleOptions {
  /** The tamper-evident log the broker writes to: a test may give one whose writes fail. */
  auditLog?: (dataSource: DataSource) => AuditLog;
  /** Where log lines go instead of stdout: a test reads them. */
  logDestination?: DestinationStream;
}

/**
 * What every feature module may inject without importing it: the values loaded before boot
 * (config, keys, clock), the database and the audit log on it, the logger, the rate limiter's
 * store, and the global exception filter. Built once, by BrokerModule.forRoot.
 */
@Global()
@Module({})
export class BrokerCoreModule {
  static forRoot(
    config: BrokerConfig,
    keys: BrokerKeys,
    clock: Clock,
    options: BrokerModuleOptions,
  ): DynamicModule {
    const globals = [
      { provide: BROKER_CONFIG, useValue: config },
      { provide: BrokerKeys, useValue: keys },
      { provide: Clock, useValue: clock },
      {
        provide: AuditLog,
        useFactory: (dataSource: DataSource) =>
          options.auditLog?.(dataSource) ??
          // Entries written in a business transaction wait unsequenced for the AuditSequencer
          // (started by the checkpoint job), so no transaction holds the chain lock.
          new AuditLog(dataSource, { sequencing: 'deferred' }),
        inject: [getDataSourceToken()],
      },
      {
        provide: AuditQuery,
        // Sequence a partnership's waiting entries before reading, so an auditor sees every entry
        // committed before the search.
        useFactory: (dataSource: DataSource) => new AuditQuery(dataSource, { sequenceFirst: true }),
        inject: [getDataSourceToken()],
      },
    ];
    return {
      module: BrokerCoreModule,
      imports: [
        loggerModule({
          service: 'broker',
          level: config.logLevel,
          format: config.logFormat,
          destination: options.logDestination,
        }),
        ThrottlerModule.forRoot([
          { limit: config.rateLimit.limit, ttl: config.rateLimit.windowSeconds * 1000 },
        ]),
        TypeOrmModule.forRoot({
          ...brokerDataSourceOptions(config.databaseUrl, {
            preparedStatements: config.databasePreparedStatements,
          }),
          migrationsRun: true,
        }),
      ],
      providers: [...globals, { provide: APP_FILTER, useClass: GlobalExceptionFilter }],
      exports: globals.map((provider) => provider.provide),
    };
  }
}
