import { Module } from '@nestjs/common';
import { PartnershipMetricsController } from './partnership-metrics.controller';
import { PartnershipMetricsRepository } from './partnership-metrics.repository';
import { PartnershipMetricsService } from './partnership-metrics.service';

@Module({
  controllers: [PartnershipMetricsController],
  providers: [PartnershipMetricsService, PartnershipMetricsRepository],
  exports: [PartnershipMetricsService],
})
export class PartnershipModule {}
