import { Module } from '@nestjs/common';
import { BrokerMetrics } from './broker-metrics';

@Module({
  providers: [BrokerMetrics],
  exports: [BrokerMetrics],
})
export class MetricsModule {}
