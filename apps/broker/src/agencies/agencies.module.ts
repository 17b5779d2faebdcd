import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { KafkaModule } from '../kafka/kafka.module';
import { KeysModule } from '../keys/keys.module';
import { MetricsModule } from '../metrics/metrics.module';
import { AdapterHeartbeatRepository } from './adapter-heartbeat.repository';
import { AgencyAvailability } from './agency-availability';
import { AgencyStatusController } from './agency-status.controller';
import { AgencyStatusService } from './agency-status.service';
import { HeartbeatHandler } from './heartbeat.handler';

@Module({
  imports: [AuditModule, KafkaModule, KeysModule, MetricsModule],
  controllers: [AgencyStatusController],
  providers: [
    AdapterHeartbeatRepository,
    AgencyStatusService,
    AgencyAvailability,
    HeartbeatHandler,
  ],
  exports: [AgencyStatusService, AgencyAvailability, HeartbeatHandler],
})
export class AgenciesModule {}
