import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { MicroserviceOptions } from '@nestjs/microservices';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import type { NestExpressApplication } from '@nestjs/platform-express';
import {
  type Clock,
  ensureDatabase,
  ensureTopics,
  KAFKA_CONSUMER_SETTINGS,
  KAFKA_RUN_SETTINGS,
  kafkaClientConfig,
  RestartingServerKafka,
  instanceClientId,
} from '@mash/common';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import { AGENCIES, consumerGroup, isWideTopic, Topics } from '@mash/contracts';
import { AgreementService } from './agreements/agreement.service';
import { BrokerModule, type BrokerModuleOptions } from './broker.module';
import { correlationMiddleware, traceMiddleware } from './common/correlation';
import { cspNonce, mountConsole, nonceSource } from './console/http';
import { AdmissionService } from './queries/admission.service';
import { queryDoor } from './queries/query-door.middleware';
import { loadBrokerConfig, type BrokerConfig } from './config/config';
import { BrokerKeys } from './keys/broker-keys';

export function brokerTopics(): string[] {
  const topics: string[] = [Topics.audit, Topics.auditCheckpoint, Topics.caseDeadlineApproaching];
  for (const agency of AGENCIES) {
    topics.push(
      Topics.queryRequested(agency),
      Topics.queryResponded(agency),
      Topics.caseOutcome(agency),
      Topics.caseOutcomeAcknowledged(agency),
      Topics.caseAction(agency),
      Topics.caseActionAcknowledged(agency),
      Topics.deadLetter(Topics.queryResponded(agency)),
      Topics.deadLetter(Topics.caseOutcomeAcknowledged(agency)),
      Topics.deadLetter(Topics.caseActionAcknowledged(agency)),
      Topics.agreementStatus(agency),
      Topics.adapterHeartbeat(agency),
      Topics.deadLetter(Topics.adapterHeartbeat(agency)),
    );
  }
  topics.push(Topics.deadLetter(Topics.audit));
  return topics;
}

function noStore(_req: unknown, res: { setHeader(n: string, v: string): void }, next: () => void) {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  next();
}

/** Builds and starts the broker: database, topics, HTTP API and the Kafka consumers. */
export async function createBrokerApp(
  env: NodeJS.ProcessEnv = process.env,
  options: { clock?: Clock } & BrokerModuleOptions = {},
): Promise<{ app: NestExpressApplication; config: BrokerConfig }> {
  const config = loadBrokerConfig(env);
  await ensureDatabase(config.databaseUrl);
  const kafka = kafkaClientConfig(config.kafka, 'broker');
  const narrow = await ensureTopics(kafka, brokerTopics(), (topic) =>
    isWideTopic(topic) ? config.kafka.KAFKA_TOPIC_PARTITIONS : 1,
  );
  const keys = await BrokerKeys.load(config);
  const app = await NestFactory.create<NestExpressApplication>(
    BrokerModule.forRoot(config, keys, options.clock, options),
    {
      // Held until the JSON logger below takes over, so start-up lines are JSON too.
      bufferLogs: true,
      bodyParser: false,
    },
  );
  app.useLogger(app.get(PinoNestLogger));
  if (narrow.length > 0)
    new Logger('Kafka').warn(
      `could not check or widen ${narrow.length} topic(s) to ${config.kafka.KAFKA_TOPIC_PARTITIONS} partitions (not allowed, or widened meanwhile): ${narrow.join(', ')}`,
    );
  app.disable('x-powered-by');
  app.use(cspNonce);
  // nosniff, HSTS, a strict CSP (the Swagger UI and the printable report load only their own
  // scripts) that no page may be framed by another origin, no referrer.
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          // The console's pages: their own scripts, and govuk-frontend's one inline line by nonce.
          scriptSrc: ["'self'", nonceSource],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:'],
          frameAncestors: ["'none'"],
          formAction: ["'self'"],
          objectSrc: ["'none'"],
          baseUri: ["'none'"],
        },
      },
      frameguard: { action: 'deny' },
      referrerPolicy: { policy: 'no-referrer' },
    }),
  );
  // API responses carry children's data: no browser or proxy may keep a copy.
  app.use('/api', noStore);
  app.use(correlationMiddleware);
  // Refusals under load cost the least they can: before the body, the request log and the token.
  app.use(queryDoor(app.get(AdmissionService)));
  app.use(traceMiddleware);
  app.useBodyParser('json', { limit: '256kb' });
  // Threshold matrices are drafted in their file format (YAML) as well as JSON.
  app.useBodyParser('text', {
    limit: '256kb',
    type: ['application/yaml', 'application/x-yaml', 'text/yaml'],
  });
  mountConsole(app);
  app.enableShutdownHooks();

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('MASH information-sharing broker')
      .setDescription(
        'Federated, policy-enforced information sharing for Multi-Agency Safeguarding Hubs.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  app.connectMicroservice<MicroserviceOptions>(
    {
      // NestJS's Kafka transport, its consumer supervised (RestartingServerKafka).
      strategy: new RestartingServerKafka({
        client: { ...kafka, clientId: instanceClientId('broker', config.port) },
        consumer: {
          groupId: consumerGroup('broker'),
          allowAutoTopicCreation: false,
          ...KAFKA_CONSUMER_SETTINGS,
        },
        postfixId: '',
        subscribe: { fromBeginning: true },
        parser: { keepBinary: true },
        // kafkajs handles one partition at a time by default; answers and audit events from
        // several topics would queue behind each other's database commits.
        run: { partitionsConsumedConcurrently: 8, ...KAFKA_RUN_SETTINGS },
      }),
    },
    { inheritAppConfig: true },
  );
  await app.init();
  if (config.agreementsDir) await app.get(AgreementService).importDirectory(config.agreementsDir);
  await app.startAllMicroservices();
  await app.listen(config.port, config.host);
  return { app, config };
}
