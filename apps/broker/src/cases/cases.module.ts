import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { CommonModule } from '../common/common.module';
import { MetricsModule } from '../metrics/metrics.module';
import { OutboxModule } from '../outbox/outbox.module';
import { ThresholdsModule } from '../thresholds/thresholds.module';
import { CaseController } from './case.controller';
import { CaseRepository } from './case.repository';
import { CaseService } from './case.service';
import { DeadlineJob } from './deadline.job';
import { DeadlineRepository } from './deadline.repository';
import { MemberRepository } from './member.repository';
import { MemberService } from './member.service';
import { RatingRepository } from './rating.repository';
import { RetentionJob } from './retention.job';
import { RetentionRepository } from './retention.repository';

@Module({
  imports: [AuditModule, CommonModule, MetricsModule, OutboxModule, ThresholdsModule],
  controllers: [CaseController],
  providers: [
    CaseRepository,
    CaseService,
    MemberRepository,
    MemberService,
    RatingRepository,
    DeadlineJob,
    DeadlineRepository,
    RetentionJob,
    RetentionRepository,
  ],
  exports: [CaseRepository, CaseService, MemberRepository, MemberService],
})
export class CasesModule {}
