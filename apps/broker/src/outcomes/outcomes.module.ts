import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { CommonModule } from '../common/common.module';
import { KafkaModule } from '../kafka/kafka.module';
import { KeysModule } from '../keys/keys.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ThresholdsModule } from '../thresholds/thresholds.module';
import { OutcomeAckHandler } from './outcome-ack.handler';
import { OutcomeRedeliveryJob } from './outcome-redelivery.job';
import { OutcomeController } from './outcome.controller';
import { OutcomeRepository } from './outcome.repository';
import { OutcomeService } from './outcome.service';

@Module({
  imports: [
    AuditModule,
    CasesModule,
    CommonModule,
    KafkaModule,
    KeysModule,
    OutboxModule,
    ThresholdsModule,
  ],
  controllers: [OutcomeController],
  providers: [OutcomeRepository, OutcomeService, OutcomeAckHandler, OutcomeRedeliveryJob],
  exports: [OutcomeRepository, OutcomeService, OutcomeAckHandler],
})
export class OutcomesModule {}
