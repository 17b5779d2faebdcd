import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CommonModule } from '../common/common.module';
import { ThresholdRefreshJob } from './threshold-refresh.job';
import { ThresholdVersionsService } from './threshold-versions.service';
import { ThresholdController } from './threshold.controller';
import { ThresholdRepository } from './threshold.repository';
import { ThresholdService } from './threshold.service';

/**
 * Its `GET api/v1/thresholds/:version` would take any fixed path under api/v1/thresholds that
 * another module registers later: BrokerModule imports those modules first.
 */
@Module({
  imports: [AuditModule, CommonModule],
  controllers: [ThresholdController],
  providers: [ThresholdService, ThresholdRepository, ThresholdVersionsService, ThresholdRefreshJob],
  exports: [ThresholdService, ThresholdVersionsService],
})
export class ThresholdsModule {}
