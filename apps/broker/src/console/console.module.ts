import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { AgreementsModule } from '../agreements/agreements.module';
import { AuditorModule } from '../auditor/auditor.module';
import { AuthModule } from '../auth/auth.module';
import { CaseFileModule } from '../case-file/case-file.module';
import { CasesModule } from '../cases/cases.module';
import { ConsentModule } from '../consent/consent.module';
import { ContributionsModule } from '../contributions/contributions.module';
import { MeetingsModule } from '../meetings/meetings.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { PartnershipModule } from '../partnership/partnership.module';
import { QueriesModule } from '../queries/queries.module';
import { ThresholdsModule } from '../thresholds/thresholds.module';
import { TransparencyModule } from '../transparency/transparency.module';
import { CONSOLE_CONTROLLERS, CONSOLE_PROVIDERS } from './console.providers';

/** The web console: pages over the feature modules' services; it exports nothing. */
@Module({
  imports: [
    AgenciesModule,
    AgreementsModule,
    AuditorModule,
    AuthModule,
    CaseFileModule,
    CasesModule,
    ConsentModule,
    ContributionsModule,
    MeetingsModule,
    MetricsModule,
    OutcomesModule,
    PartnershipModule,
    QueriesModule,
    ThresholdsModule,
    TransparencyModule,
  ],
  controllers: CONSOLE_CONTROLLERS,
  providers: CONSOLE_PROVIDERS,
})
export class ConsoleModule {}
