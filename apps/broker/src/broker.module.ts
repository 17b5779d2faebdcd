import { Clock, SystemClock } from '@mash/common';
import { Module, type DynamicModule } from '@nestjs/common';
import { AgenciesModule } from './agencies/agencies.module';
import { AgreementsModule } from './agreements/agreements.module';
import { AuditModule } from './audit/audit.module';
import { AuditorModule } from './auditor/auditor.module';
import { AuthModule } from './auth/auth.module';
import { BrokerCoreModule, type BrokerModuleOptions } from './broker-core.module';
import { CaseFileModule } from './case-file/case-file.module';
import { CasesModule } from './cases/cases.module';
import { CommonModule } from './common/common.module';
import type { BrokerConfig } from './config/config';
import { ConsentModule } from './consent/consent.module';
import { ConsoleModule } from './console/console.module';
import { ContributionsModule } from './contributions/contributions.module';
import { KafkaModule } from './kafka/kafka.module';
import type { BrokerKeys } from './keys/broker-keys';
import { KeysModule } from './keys/keys.module';
import { MeetingsModule } from './meetings/meetings.module';
import { MessagingModule } from './messaging/messaging.module';
import { MetricsModule } from './metrics/metrics.module';
import { OpsModule } from './ops/ops.module';
import { OutboxModule } from './outbox/outbox.module';
import { OutcomesModule } from './outcomes/outcomes.module';
import { PartnershipModule } from './partnership/partnership.module';
import { QueriesModule } from './queries/queries.module';
import { ThresholdMeasuresModule } from './threshold-measures/threshold-measures.module';
import { ThresholdsModule } from './thresholds/thresholds.module';
import { TransparencyModule } from './transparency/transparency.module';

export type { BrokerModuleOptions } from './broker-core.module';

/**
 * The broker: the core module and one module per feature folder (docs/architecture.md). Nest
 * scans imports depth first and registers routes in that order, so a module is listed before
 * any module it imports whose routes could shadow its own.
 */
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
        BrokerCoreModule.forRoot(config, keys, clock, options),
        // Before ThresholdsModule, which it imports: `GET api/v1/thresholds/consistency` must be
        // registered before `GET api/v1/thresholds/:version` would take it.
        ThresholdMeasuresModule,
        CommonModule,
        MetricsModule,
        KeysModule,
        KafkaModule,
        OutboxModule,
        AuditModule,
        AuthModule,
        AuditorModule,
        AgenciesModule,
        OpsModule,
        ThresholdsModule,
        CasesModule,
        ConsentModule,
        AgreementsModule,
        QueriesModule,
        OutcomesModule,
        ContributionsModule,
        MeetingsModule,
        MessagingModule,
        TransparencyModule,
        CaseFileModule,
        PartnershipModule,
        ConsoleModule,
      ],
    };
  }
}
