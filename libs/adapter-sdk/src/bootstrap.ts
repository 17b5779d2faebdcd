import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { Logger, type INestApplication } from '@nestjs/common';
import {
  ensureDatabase,
  ensureTopics,
  KAFKA_CONSUMER_SETTINGS,
  KAFKA_RUN_SETTINGS,
  kafkaClientConfig,
  RestartingServerKafka,
  instanceClientId,
} from '@mash/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { consumerGroup, isWideTopic, Topics } from '@mash/contracts';
import { AdapterModule, type AdapterModuleOptions } from './adapter.module';

export function adapterTopics(agency: AdapterModuleOptions['config']['agency']): string[] {
  const own = [
    Topics.queryRequested(agency),
    Topics.caseOutcome(agency),
    Topics.caseAction(agency),
  ];
  return [
    ...own,
    ...own.map(Topics.deadLetter),
    Topics.queryResponded(agency),
    Topics.caseOutcomeAcknowledged(agency),
    Topics.caseActionAcknowledged(agency),
    Topics.audit,
    Topics.agreementStatus(agency),
    Topics.adapterHeartbeat(agency),
  ];
}

/**
 * Everything an agency adapter needs to run: its own database (created and migrated; the source
 * is only read), its topics, an HTTP port for health, metrics and its public keys, and the Kafka consumer.
 */
export async function createAdapterApp(options: AdapterModuleOptions): Promise<INestApplication> {
  const { config } = options;
  await ensureDatabase(config.storeDatabaseUrl);
  const kafka = kafkaClientConfig(config.kafka, config.service);
  const narrow = await ensureTopics(kafka, adapterTopics(config.agency), (topic) =>
    isWideTopic(topic) ? config.kafka.KAFKA_TOPIC_PARTITIONS : 1,
  );
  const app = await NestFactory.create(AdapterModule.forRoot(options), { bufferLogs: true });
  app.useLogger(app.get(PinoNestLogger));
  if (narrow.length > 0)
    new Logger('Kafka').warn(
      `could not check or widen ${narrow.length} topic(s) to ${config.kafka.KAFKA_TOPIC_PARTITIONS} partitions (not allowed, or widened meanwhile): ${narrow.join(', ')}`,
    );
  app.enableShutdownHooks();
  app.connectMicroservice<MicroserviceOptions>(
    {
      // NestJS's Kafka transport, its consumer supervised (RestartingServerKafka).
      strategy: new RestartingServerKafka({
        client: { ...kafka, clientId: instanceClientId(config.service, config.port) },
        // Group id is exactly `adapter-<agency>`, which the documented ACLs name (prefixed only
        // in a test namespace, see KAFKA_TOPIC_NAMESPACE).
        consumer: {
          groupId: consumerGroup(config.service),
          allowAutoTopicCreation: false,
          ...KAFKA_CONSUMER_SETTINGS,
        },
        postfixId: '',
        subscribe: { fromBeginning: true },
        // Raw bytes: the SDK validates every message itself and dead-letters what fails.
        parser: { keepBinary: true },
        // kafkajs handles one partition at a time by default; answers and audit events from
        // several topics would queue behind each other's database commits.
        run: { partitionsConsumedConcurrently: 4, ...KAFKA_RUN_SETTINGS },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  return app;
}
