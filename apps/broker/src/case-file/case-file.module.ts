import { Module } from '@nestjs/common';
import { AgreementsModule } from '../agreements/agreements.module';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { ConsentModule } from '../consent/consent.module';
import { ContributionsModule } from '../contributions/contributions.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { QueriesModule } from '../queries/queries.module';
import { TransparencyModule } from '../transparency/transparency.module';
import { CaseFileController } from './case-file.controller';
import { CaseFileService } from './case-file.service';
import { ChronologyService } from './chronology.service';

@Module({
  imports: [
    AgreementsModule,
    AuditModule,
    CasesModule,
    ConsentModule,
    ContributionsModule,
    OutcomesModule,
    QueriesModule,
    TransparencyModule,
  ],
  controllers: [CaseFileController],
  providers: [CaseFileService, ChronologyService],
  exports: [CaseFileService, ChronologyService],
})
export class CaseFileModule {}
