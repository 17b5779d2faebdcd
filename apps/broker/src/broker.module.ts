import { Clock, SystemClock, loggerModule } from '@mash/common';
import type { DestinationStream } from 'pino';
import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ThrottlerModule } from '@nestjs/throttler';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditLog, AuditQuery } from '@mash/audit';
import { AdapterHeartbeatRepository } from './agencies/adapter-heartbeat.repository';
import { AgencyStatusController } from './agencies/agency-status.controller';
import { AgencyStatusService } from './agencies/agency-status.service';
import { AgencyAvailability } from './agencies/agency-availability';
import { HeartbeatHandler } from './agencies/heartbeat.handler';
import { AgreementController } from './agreements/agreement.controller';
import { AgreementRepository } from './agreements/agreement.repository';
import { AgreementService } from './agreements/agreement.service';
import { AgencyAuditHandler } from './audit/agency-audit.handler';
import { AgencyAuditConsumer } from './audit/agency-audit.consumer';
import { AgencyEventReceiptRepository } from './audit/agency-event-receipt.repository';
import { AuditService } from './audit/audit.service';
import { AuditContextRepository } from './audit/audit-context.repository';
import { AuditLagMetrics } from './audit/audit-lag.metrics';
import { AuditorController } from './auditor/auditor.controller';
import { AuditorService } from './auditor/auditor.service';
import { AuditCheckpointJob } from './audit/checkpoint.job';
import { JwtAuthGuard, RolesGuard } from './auth/auth.guard';
import { AuthFailureRepository } from './auth/auth-failure.repository';
import { JobClaimRepository } from './common/job-claim.repository';
import { JwtStrategy } from './auth/jwt.strategy';
import { SecurityEvents } from './auth/security-events';
import { TokenVerifier } from './auth/token-verifier';
import { CaseFileController } from './case-file/case-file.controller';
import { CaseFileService } from './case-file/case-file.service';
import { CaseController } from './cases/case.controller';
import { RatingRepository } from './cases/rating.repository';
import { Transactions } from './common/transactions';
import { ConsentController } from './consent/consent.controller';
import { ConsentRepository } from './consent/consent.repository';
import { ConsentService } from './consent/consent.service';
import { CaseRepository } from './cases/case.repository';
import { CaseService } from './cases/case.service';
import { MemberRepository } from './cases/member.repository';
import { MemberService } from './cases/member.service';
import { ThresholdService } from './thresholds/threshold.service';
import { ThresholdController } from './thresholds/threshold.controller';
import { ThresholdRepository } from './thresholds/threshold.repository';
import { ThresholdRefreshJob } from './thresholds/threshold-refresh.job';
import { ThresholdVersionsService } from './thresholds/threshold-versions.service';
import { ConsistencyController } from './threshold-measures/consistency.controller';
import { ConsistencyRepository } from './threshold-measures/consistency.repository';
import { ConsistencyService } from './threshold-measures/consistency.service';
import { GlobalExceptionFilter } from './common/exception.filter';
import { UserRateLimitGuard } from './auth/rate-limit.guard';
import { BROKER_CONFIG, type BrokerConfig } from './config/config';
import { brokerDataSourceOptions } from './data-source';
import { DeadLetters } from './kafka/dead-letters';
import { KafkaProducer } from './kafka/kafka.producer';
import { AgencyDirectory } from './keys/agency-directory';
import { BrokerKeys } from './keys/broker-keys';
import { BrokerMetrics } from './metrics/broker-metrics';
import { OpsController } from './ops/ops.controller';
import { OutboxService } from './outbox/outbox.service';
import { OutboxRepository } from './outbox/outbox.repository';
import { AnswerHandler } from './queries/answer.handler';
import { BrokerKafkaController } from './messaging/broker-kafka.controller';
import { QueryController } from './queries/query.controller';
import { MatchResolutionService } from './queries/match-resolution.service';
import { QueryRepository } from './queries/query.repository';
import { QueryService } from './queries/query.service';
import { QueryDispatcher } from './queries/query.dispatcher';
import { CapacityRepository } from './queries/capacity.repository';
import { TimeoutJob } from './queries/timeout.job';
import { DeadlineJob } from './cases/deadline.job';
import { DeadlineRepository } from './cases/deadline.repository';
import { AuditStoreRepository } from './auditor/audit-store.repository';
import { AUDIT_CHECKPOINT_PROVIDERS } from './audit/audit.providers';
import { HealthRepository } from './ops/health.repository';
import { RetentionRepository } from './cases/retention.repository';
import { RetentionJob } from './cases/retention.job';
import { CapacityService } from './queries/capacity.service';
import { CapacityReleaseJob } from './queries/capacity-release.job';
import { QueryEventsController } from './queries/query-events.controller';
import { QueryEventsService } from './queries/query-events.service';
import { QueryEventsListener } from './queries/query-events.listener';
import { QueryEventRepository } from './queries/query-event.repository';
import { AdmissionService } from './queries/admission.service';
import { BrokerLoad } from './queries/broker-load';
import { QueryEventPruneJob } from './queries/query-event-prune.job';
import { OutcomeController } from './outcomes/outcome.controller';
import { OutcomeRepository } from './outcomes/outcome.repository';
import { OutcomeService } from './outcomes/outcome.service';
import { OutcomeAckHandler } from './outcomes/outcome-ack.handler';
import { OutcomeRedeliveryJob } from './outcomes/outcome-redelivery.job';
import { ContributionController } from './contributions/contribution.controller';
import { ContributionRepository } from './contributions/contribution.repository';
import { ContributionService } from './contributions/contribution.service';
import { MeetingController } from './meetings/meeting.controller';
import { MeetingRepository } from './meetings/meeting.repository';
import { MeetingService } from './meetings/meeting.service';
import { ActionAckHandler } from './meetings/action-ack.handler';
import { ActionRedeliveryJob } from './meetings/action-redelivery.job';
import { ChronologyService } from './case-file/chronology.service';
import { TransparencyController } from './transparency/transparency.controller';
import { TransparencyService } from './transparency/transparency.service';
import { WithholdingRepository } from './transparency/withholding.repository';
import { PartnershipMetricsController } from './partnership/partnership-metrics.controller';
import { PartnershipMetricsService } from './partnership/partnership-metrics.service';
import { PartnershipMetricsRepository } from './partnership/partnership-metrics.repository';
import { CONSOLE_CONTROLLERS, CONSOLE_PROVIDERS } from './console/console.providers';

/** What a test may put in place of the real thing (never set in production). */
export interface BrokerModuleOptions {
  /** The tamper-evident log the broker writes to: a test may give one whose writes fail. */
  auditLog?: (dataSource: DataSource) => AuditLog;
  /** Where log lines go instead of stdout: a test reads them. */
  logDestination?: DestinationStream;
}

@Module({})
export class BrokerModule {
  static forRoot(
    config: BrokerConfig,
    keys: BrokerKeys,
    clock: Clock = new SystemClock(),
    options: BrokerModuleOptions = {},
  ): DynamicModule {
    return {
      module: BrokerModule,
      imports: [
        loggerModule({
          service: 'broker',
          level: config.logLevel,
          format: config.logFormat,
          destination: options.logDestination,
        }),
        PassportModule,
        ThrottlerModule.forRoot([
          { limit: config.rateLimit.limit, ttl: config.rateLimit.windowSeconds * 1000 },
        ]),
        TypeOrmModule.forRoot({
          ...brokerDataSourceOptions(config.databaseUrl),
          migrationsRun: true,
        }),
      ],
      controllers: [
        OpsController,
        CaseController,
        CaseFileController,
        ConsentController,
        QueryController,
        QueryEventsController,
        AgreementController,
        BrokerKafkaController,
        AuditorController,
        OutcomeController,
        ContributionController,
        MeetingController,
        TransparencyController,
        PartnershipMetricsController,
        ...CONSOLE_CONTROLLERS,
        AgencyStatusController,
        ConsistencyController,
        // After every controller with a fixed path under api/v1/thresholds (GET :version would take it).
        ThresholdController,
      ],
      providers: [
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
          useFactory: (dataSource: DataSource) =>
            new AuditQuery(dataSource, { sequenceFirst: true }),
          inject: [getDataSourceToken()],
        },
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        // Order matters: authenticate, then check the route's roles (deny by default).
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
        // Then count the request against its user (the principal is known by now).
        { provide: APP_GUARD, useClass: UserRateLimitGuard },
        BrokerMetrics,
        TokenVerifier,
        AuthFailureRepository,
        JobClaimRepository,
        JwtStrategy,
        SecurityEvents,
        AuditService,
        AuditContextRepository,
        AuditLagMetrics,
        AuditorService,
        AuditStoreRepository,
        AuditCheckpointJob,
        ...AUDIT_CHECKPOINT_PROVIDERS,
        AgencyAuditHandler,
        AgencyAuditConsumer,
        AgencyEventReceiptRepository,
        KafkaProducer,
        DeadLetters,
        OutboxService,
        OutboxRepository,
        AgencyDirectory,
        ThresholdService,
        ThresholdRepository,
        ThresholdVersionsService,
        ThresholdRefreshJob,
        ConsistencyService,
        ConsistencyRepository,
        CaseRepository,
        Transactions,
        CaseService,
        MemberRepository,
        MemberService,
        RatingRepository,
        ConsentRepository,
        ConsentService,
        CaseFileService,
        AgreementRepository,
        AgreementService,
        QueryRepository,
        QueryService,
        MatchResolutionService,
        QueryDispatcher,
        CapacityRepository,
        AnswerHandler,
        TimeoutJob,
        DeadlineJob,
        DeadlineRepository,
        HealthRepository,
        RetentionJob,
        RetentionRepository,
        CapacityService,
        CapacityReleaseJob,
        QueryEventRepository,
        QueryEventsListener,
        QueryEventsService,
        AdmissionService,
        BrokerLoad,
        QueryEventPruneJob,
        OutcomeRepository,
        OutcomeService,
        OutcomeAckHandler,
        OutcomeRedeliveryJob,
        ContributionRepository,
        ContributionService,
        MeetingRepository,
        MeetingService,
        ActionAckHandler,
        ActionRedeliveryJob,
        ChronologyService,
        TransparencyService,
        WithholdingRepository,
        PartnershipMetricsService,
        PartnershipMetricsRepository,
        ...CONSOLE_PROVIDERS,
        AdapterHeartbeatRepository,
        AgencyStatusService,
        AgencyAvailability,
        HeartbeatHandler,
      ],
    };
  }
}
