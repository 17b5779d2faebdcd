import { Module } from '@nestjs/common';
import { AgreementsModule } from '../agreements/agreements.module';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { CommonModule } from '../common/common.module';
import { ConsentModule } from '../consent/consent.module';
import { QueriesModule } from '../queries/queries.module';
import { ContributionController } from './contribution.controller';
import { ContributionRepository } from './contribution.repository';
import { ContributionService } from './contribution.service';

@Module({
  imports: [AgreementsModule, AuditModule, CasesModule, CommonModule, ConsentModule, QueriesModule],
  controllers: [ContributionController],
  providers: [ContributionRepository, ContributionService],
  exports: [ContributionService],
})
export class ContributionsModule {}
