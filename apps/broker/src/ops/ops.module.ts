import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { DatabaseSettingsCheck } from './database-settings.check';
import { HealthRepository } from './health.repository';
import { OpsController } from './ops.controller';

@Module({
  imports: [MetricsModule],
  controllers: [OpsController],
  providers: [HealthRepository, DatabaseSettingsCheck],
})
export class OpsModule {}
