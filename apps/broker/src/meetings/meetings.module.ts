import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CasesModule } from '../cases/cases.module';
import { CommonModule } from '../common/common.module';
import { KafkaModule } from '../kafka/kafka.module';
import { KeysModule } from '../keys/keys.module';
import { OutboxModule } from '../outbox/outbox.module';
import { QueriesModule } from '../queries/queries.module';
import { ThresholdsModule } from '../thresholds/thresholds.module';
import { ActionAckHandler } from './action-ack.handler';
import { ActionRedeliveryJob } from './action-redelivery.job';
import { MeetingController } from './meeting.controller';
import { MeetingRepository } from './meeting.repository';
import { MeetingService } from './meeting.service';

@Module({
  imports: [
    AuditModule,
    CasesModule,
    CommonModule,
    KafkaModule,
    KeysModule,
    OutboxModule,
    QueriesModule,
    ThresholdsModule,
  ],
  controllers: [MeetingController],
  providers: [MeetingRepository, MeetingService, ActionAckHandler, ActionRedeliveryJob],
  exports: [MeetingService, ActionAckHandler],
})
export class MeetingsModule {}
