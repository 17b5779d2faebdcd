import { Module } from '@nestjs/common';
import { CommonModule } from '../common/common.module';
import { KafkaModule } from '../kafka/kafka.module';
import { KeysModule } from '../keys/keys.module';
import { MetricsModule } from '../metrics/metrics.module';
import { AgencyAuditConsumer } from './agency-audit.consumer';
import { AgencyAuditHandler } from './agency-audit.handler';
import { AgencyEventReceiptRepository } from './agency-event-receipt.repository';
import { AuditContextRepository } from './audit-context.repository';
import { AuditLagMetrics } from './audit-lag.metrics';
import { AUDIT_CHECKPOINT_PROVIDERS } from './audit.providers';
import { AuditService } from './audit.service';
import { AuditCheckpointJob } from './checkpoint.job';

/** `AuditLog` and `AuditQuery` come from the core module (a test may replace the log). */
@Module({
  imports: [CommonModule, KafkaModule, KeysModule, MetricsModule],
  providers: [
    AuditService,
    AuditContextRepository,
    AuditLagMetrics,
    AuditCheckpointJob,
    ...AUDIT_CHECKPOINT_PROVIDERS,
    AgencyAuditHandler,
    AgencyAuditConsumer,
    AgencyEventReceiptRepository,
  ],
  exports: [AuditService, AuditContextRepository],
})
export class AuditModule {}
