import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { AuditStoreRepository } from './audit-store.repository';
import { AuditorController } from './auditor.controller';
import { AuditorService } from './auditor.service';

@Module({
  imports: [AuditModule],
  controllers: [AuditorController],
  providers: [AuditorService, AuditStoreRepository],
  exports: [AuditorService],
})
export class AuditorModule {}
