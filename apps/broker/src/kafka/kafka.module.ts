import { Module } from '@nestjs/common';
import { MetricsModule } from '../metrics/metrics.module';
import { DeadLetters } from './dead-letters';
import { KafkaProducer } from './kafka.producer';

@Module({
  imports: [MetricsModule],
  providers: [KafkaProducer, DeadLetters],
  exports: [KafkaProducer, DeadLetters],
})
export class KafkaModule {}
