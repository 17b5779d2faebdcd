import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CommonModule } from '../common/common.module';
import { OutboxModule } from '../outbox/outbox.module';
import { AgreementController } from './agreement.controller';
import { AgreementRepository } from './agreement.repository';
import { AgreementService } from './agreement.service';

@Module({
  imports: [AuditModule, CommonModule, OutboxModule],
  controllers: [AgreementController],
  providers: [AgreementRepository, AgreementService],
  exports: [AgreementRepository, AgreementService],
})
export class AgreementsModule {}
