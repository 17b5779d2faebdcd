import {
  Controller,
  Get,
  Header,
  Inject,
  Module,
  type DynamicModule,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type Type,
} from '@nestjs/common';
import { ClientKafka, Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  JwksClient,
  kafkaClientConfig,
  loggerModule,
  rawMessageOf,
  handleKafkaMessage,
  preparedStatementsPool,
} from '@mash/common';
import { Topics } from '@mash/contracts';
import { FileKeyRingStore, ServiceKeys } from '@mash/trust';
import type { SourceConnector } from './connector';
import type { AdapterConfig } from './config';
import { AdapterSdkEntities, AdapterSdkMigrations } from './ledger';
import { ClientKafkaPublisher, type Publisher } from './publisher';
import { AgencyAuditPublisher } from './audit';
import { AdapterMetrics } from './metrics';
import { QueryRequestProcessor } from './processor';
import { OutcomeProcessor } from './outcomes';
import { ActionProcessor } from './actions';
import { AgreementStatusFeed } from './agreement-status';
import { HeartbeatPublisher, SourceFreshness } from './heartbeat';
import { MatchIndexer } from './match-index';
import { outcomeSink, type OutcomeDelivery, type OutcomeSink } from './outcome-sink';
import { createSourceDriver, type SourceDriver, type SourceDriverName } from './source-driver';

export const ADAPTER_CONFIG = Symbol('ADAPTER_CONFIG');
export const SOURCE_CONNECTOR = Symbol('SOURCE_CONNECTOR');
export const SERVICE_KEYS = Symbol('SERVICE_KEYS');
export const BROKER_JWKS = Symbol('BROKER_JWKS');
export const PUBLISHER = Symbol('PUBLISHER');
export const KAFKA_CLIENT = Symbol('KAFKA_CLIENT');
export const SOURCE_DRIVER = Symbol('SOURCE_DRIVER');
export const OUTCOME_SINK = Symbol('OUTCOME_SINK');

/** What a connector is built over: the source (read-only), the adapter's store, the outcome interface. */
export interface AdapterResources {
  source: SourceDriver;
  store: DataSource;
  outcomes: OutcomeSink;
}

export interface AdapterModuleOptions {
  config: AdapterConfig;
  /** Builds the agency's connector over its source (read-only) and the adapter's own store. */
  connector: (resources: AdapterResources) => SourceConnector;
  /** The source's driver; default `postgres`. */
  sourceDriver?: SourceDriverName;
  /** A driver already made (a FHIR server with its timeout and token); else one from `sourceDriver` and the URL. */
  source?: SourceDriver;
  /** Where fed-back outcomes reach the agency; default the store's `mash_outcome` table. */
  outcomes?: OutcomeDelivery;
  /** How often the match index reads the connector's change feed (ms); default 1000. */
  indexPollMs?: number;
}

/** Follows the connector's change feed while the adapter runs, when the connector has one. */
export class MatchIndexRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(
    readonly indexer: MatchIndexer | undefined,
    private readonly pollMs: number,
  ) {}

  onApplicationBootstrap(): void {
    this.indexer?.start(this.pollMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.indexer?.stop();
  }
}

/** Closes the source connection pool and the outcome interface when the adapter stops. */
class SourceCloser implements OnApplicationShutdown {
  constructor(
    private readonly source: SourceDriver,
    private readonly outcomes: OutcomeSink,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.source.close().catch(() => undefined);
    await this.outcomes.close?.().catch(() => undefined);
  }
}

/** Controllers need static decorator arguments, so each agency gets its own class. */
function kafkaController(config: AdapterConfig): Type {
  @Controller()
  class AgencyKafkaController {
    constructor(
      private readonly queries: QueryRequestProcessor,
      private readonly outcomes: OutcomeProcessor,
      private readonly actions: ActionProcessor,
    ) {}

    @EventPattern(Topics.queryRequested(config.agency))
    async onQuery(@Payload() _payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
      const message = rawMessageOf(context);
      await handleKafkaMessage(message, () => this.queries.process(message));
    }

    @EventPattern(Topics.caseOutcome(config.agency))
    async onOutcome(@Payload() _payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
      const message = rawMessageOf(context);
      await handleKafkaMessage(message, () => this.outcomes.process(message));
    }

    @EventPattern(Topics.caseAction(config.agency))
    async onAction(@Payload() _payload: unknown, @Ctx() context: KafkaContext): Promise<void> {
      await this.actions.process(rawMessageOf(context));
    }
  }
  return AgencyKafkaController;
}

@Controller()
class AdapterHttpController {
  constructor(
    @Inject(ADAPTER_CONFIG) private readonly config: AdapterConfig,
    @Inject(SERVICE_KEYS) private readonly keys: ServiceKeys,
    @Inject(getDataSourceToken()) private readonly dataSource: DataSource,
    @Inject(SOURCE_DRIVER) private readonly source: SourceDriver,
    @Inject(KAFKA_CLIENT) private readonly kafka: ClientKafka,
    private readonly metrics: AdapterMetrics,
  ) {}

  @Get('health')
  async health(): Promise<Record<string, unknown>> {
    const database = await this.dataSource
      .query('SELECT 1')
      .then(() => 'up')
      .catch(() => 'down');
    const source = await this.source
      .ping()
      .then(() => 'up')
      .catch(() => 'down');
    let kafka = 'down';
    try {
      const producer = this.kafka.producer;
      if (producer) kafka = 'up';
    } catch {
      kafka = 'down';
    }
    return {
      status: database === 'up' && source === 'up' && kafka === 'up' ? 'ok' : 'degraded',
      service: this.config.service,
      database,
      source,
      kafka,
    };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async metricsText(): Promise<string> {
    return this.metrics.registry.metrics();
  }

  /** The agency's public keys: the broker verifies answers and seals outcomes with these. */
  @Get('.well-known/jwks.json')
  jwks(): unknown {
    return this.keys.jwks;
  }
}

@Module({})
export class AdapterModule {
  static forRoot(options: AdapterModuleOptions): DynamicModule {
    const { config } = options;
    return {
      module: AdapterModule,
      imports: [
        loggerModule({ service: config.service, level: config.logLevel, format: config.logFormat }),
        // The adapter's own store; the source is reached only through SOURCE_DRIVER, read-only.
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: config.storeDatabaseUrl,
          entities: AdapterSdkEntities,
          migrations: AdapterSdkMigrations,
          migrationsRun: true,
          synchronize: false,
          extra: preparedStatementsPool(config.databasePreparedStatements),
          // TypeORM's error logging prints query parameters, which can hold personal data.
          logging: false,
        }),
      ],
      controllers: [AdapterHttpController, kafkaController(config)],
      providers: [
        { provide: ADAPTER_CONFIG, useValue: config },
        { provide: AdapterMetrics, useFactory: () => new AdapterMetrics(config.service) },
        {
          provide: SERVICE_KEYS,
          useFactory: async () =>
            ServiceKeys.fromRing(
              await new FileKeyRingStore(config.keysDir).loadOrCreate(config.service),
            ),
        },
        {
          provide: BROKER_JWKS,
          useFactory: () => new JwksClient(config.brokerJwksUrl, { cooldownMs: 10_000 }),
        },
        {
          provide: AgreementStatusFeed,
          useFactory: (jwks: JwksClient) =>
            new AgreementStatusFeed({
              kafka: kafkaClientConfig(config.kafka, config.service),
              service: config.service,
              agency: config.agency,
              brokerKeys: jwks.getKey,
            }).start(),
          inject: [BROKER_JWKS],
        },
        {
          provide: KAFKA_CLIENT,
          useFactory: async () => {
            const client = new ClientKafka({
              client: kafkaClientConfig(config.kafka, `${config.service}-producer`),
              producerOnlyMode: true,
              producer: { allowAutoTopicCreation: true },
            });
            await client.connect();
            return client;
          },
        },
        {
          provide: PUBLISHER,
          useFactory: (c: ClientKafka) => new ClientKafkaPublisher(c),
          inject: [KAFKA_CLIENT],
        },
        {
          provide: SOURCE_DRIVER,
          useFactory: () =>
            options.source ??
            createSourceDriver(options.sourceDriver ?? 'postgres', config.sourceDatabaseUrl, {
              preparedStatements: config.databasePreparedStatements,
            }),
        },
        {
          provide: OUTCOME_SINK,
          useFactory: (store: DataSource) =>
            outcomeSink(options.outcomes ?? { to: 'store' }, store),
          inject: [getDataSourceToken()],
        },
        {
          provide: SourceCloser,
          useFactory: (source: SourceDriver, outcomes: OutcomeSink) =>
            new SourceCloser(source, outcomes),
          inject: [SOURCE_DRIVER, OUTCOME_SINK],
        },
        {
          provide: SOURCE_CONNECTOR,
          useFactory: (store: DataSource, source: SourceDriver, outcomes: OutcomeSink) =>
            options.connector({ source, store, outcomes }),
          inject: [getDataSourceToken(), SOURCE_DRIVER, OUTCOME_SINK],
        },
        {
          provide: MatchIndexRunner,
          useFactory: (connector: SourceConnector, store: DataSource) =>
            new MatchIndexRunner(
              connector.changeFeed ? new MatchIndexer(store, connector.changeFeed) : undefined,
              options.indexPollMs ?? 1000,
            ),
          inject: [SOURCE_CONNECTOR, getDataSourceToken()],
        },
        {
          provide: AgencyAuditPublisher,
          useFactory: (keys: ServiceKeys, publisher: Publisher) =>
            new AgencyAuditPublisher(config.agency, keys, publisher),
          inject: [SERVICE_KEYS, PUBLISHER],
        },
        {
          provide: SourceFreshness,
          useFactory: (connector: SourceConnector) => new SourceFreshness(connector),
          inject: [SOURCE_CONNECTOR],
        },
        {
          provide: HeartbeatPublisher,
          useFactory: (keys: ServiceKeys, publisher: Publisher, freshness: SourceFreshness) =>
            new HeartbeatPublisher(
              { agency: config.agency, intervalSeconds: config.heartbeatIntervalSeconds },
              keys,
              publisher,
              freshness,
            ),
          inject: [SERVICE_KEYS, PUBLISHER, SourceFreshness],
        },
        {
          provide: QueryRequestProcessor,
          useFactory: (
            connector: SourceConnector,
            keys: ServiceKeys,
            jwks: JwksClient,
            ds: DataSource,
            publisher: Publisher,
            audit: AgencyAuditPublisher,
            metrics: AdapterMetrics,
            agreementStatus: AgreementStatusFeed,
            freshness: SourceFreshness,
          ) =>
            new QueryRequestProcessor(
              config.agency,
              connector,
              keys,
              jwks,
              ds,
              publisher,
              audit,
              metrics,
              agreementStatus,
              freshness,
            ),
          inject: [
            SOURCE_CONNECTOR,
            SERVICE_KEYS,
            BROKER_JWKS,
            getDataSourceToken(),
            PUBLISHER,
            AgencyAuditPublisher,
            AdapterMetrics,
            AgreementStatusFeed,
            SourceFreshness,
          ],
        },
        ...[OutcomeProcessor, ActionProcessor].map((Processor) => ({
          provide: Processor,
          useFactory: (
            connector: SourceConnector,
            keys: ServiceKeys,
            ds: DataSource,
            publisher: Publisher,
            metrics: AdapterMetrics,
            jwks: JwksClient,
          ) => new Processor(config.agency, connector, keys, ds, publisher, metrics, jwks.getKey),
          inject: [
            SOURCE_CONNECTOR,
            SERVICE_KEYS,
            getDataSourceToken(),
            PUBLISHER,
            AdapterMetrics,
            BROKER_JWKS,
          ],
        })),
      ],
    };
  }
}
