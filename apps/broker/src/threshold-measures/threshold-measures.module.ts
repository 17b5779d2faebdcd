import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ThresholdsModule } from '../thresholds/thresholds.module';
import { ConsistencyController } from './consistency.controller';
import { ConsistencyRepository } from './consistency.repository';
import { ConsistencyService } from './consistency.service';

@Module({
  imports: [AuditModule, ThresholdsModule],
  controllers: [ConsistencyController],
  providers: [ConsistencyService, ConsistencyRepository],
})
export class ThresholdMeasuresModule {}
