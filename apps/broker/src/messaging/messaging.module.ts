import { Module } from '@nestjs/common';
import { AgenciesModule } from '../agencies/agencies.module';
import { MeetingsModule } from '../meetings/meetings.module';
import { OutcomesModule } from '../outcomes/outcomes.module';
import { QueriesModule } from '../queries/queries.module';
import { BrokerKafkaController } from './broker-kafka.controller';

/** The Kafka consumer: each topic goes to the handler its feature module exports. */
@Module({
  imports: [AgenciesModule, MeetingsModule, OutcomesModule, QueriesModule],
  controllers: [BrokerKafkaController],
})
export class MessagingModule {}
