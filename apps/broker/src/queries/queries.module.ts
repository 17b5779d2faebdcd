import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { AgreementsModule } from '../agreements/agreements.module';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { CommonModule } from '../common/common.module';
import { ConsentModule } from '../consent/consent.module';
import { KafkaModule } from '../kafka/kafka.module';
import { KeysModule } from '../keys/keys.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ThresholdsModule } from '../thresholds/thresholds.module';
import { AdmissionService } from './admission.service';
import { AnswerHandler } from './answer.handler';
import { BrokerLoad } from './broker-load';
import { CapacityReleaseJob } from './capacity-release.job';
import { CapacityRepository } from './capacity.repository';
import { CapacityService } from './capacity.service';
import { MatchResolutionService } from './match-resolution.service';
import { QueryEventPruneJob } from './query-event-prune.job';
import { QueryEventRepository } from './query-event.repository';
import { QueryEventsController } from './query-events.controller';
import { QueryEventsListener } from './query-events.listener';
import { QueryEventsService } from './query-events.service';
import { QueryController } from './query.controller';
import { QueryDispatcher } from './query.dispatcher';
import { QueryRepository } from './query.repository';
import { QueryService } from './query.service';
import { TimeoutJob } from './timeout.job';

/** Federated queries with their dispatch, capacity queue, answers and event streams inside. */
@Module({
  imports: [
    AgenciesModule,
    AgreementsModule,
    AuditModule,
    CasesModule,
    CommonModule,
    ConsentModule,
    KafkaModule,
    KeysModule,
    MetricsModule,
    OutboxModule,
    ThresholdsModule,
  ],
  controllers: [QueryController, QueryEventsController],
  providers: [
    QueryRepository,
    QueryService,
    MatchResolutionService,
    QueryDispatcher,
    CapacityRepository,
    CapacityService,
    CapacityReleaseJob,
    AnswerHandler,
    TimeoutJob,
    QueryEventRepository,
    QueryEventsListener,
    QueryEventsService,
    AdmissionService,
    BrokerLoad,
    QueryEventPruneJob,
  ],
  exports: [
    QueryRepository,
    QueryService,
    MatchResolutionService,
    QueryEventsService,
    AnswerHandler,
  ],
})
export class QueriesModule {}
