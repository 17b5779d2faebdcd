import { Module } from '@nestjs/common';
import { AgreementsModule } from '../agreements/agreements.module';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { CommonModule } from '../common/common.module';
import { ConsentModule } from '../consent/consent.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { QueriesModule } from '../queries/queries.module';
import { TransparencyController } from './transparency.controller';
import { TransparencyService } from './transparency.service';
import { WithholdingRepository } from './withholding.repository';

@Module({
  imports: [
    AgreementsModule,
    AuditModule,
    CasesModule,
    CommonModule,
    ConsentModule,
    OutcomesModule,
    QueriesModule,
  ],
  controllers: [TransparencyController],
  providers: [TransparencyService, WithholdingRepository],
  exports: [TransparencyService, WithholdingRepository],
})
export class TransparencyModule {}
