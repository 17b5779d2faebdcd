import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ZodPipe } from '../common/zod.pipe';
import { PartnershipMetricsService } from './partnership-metrics.service';

const RangeSchema = z
  .object({
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
  })
  .strict();
type Range = z.infer<typeof RangeSchema>;

@ApiTags('metrics')
@ApiBearerAuth()
@Controller('api/v1/metrics')
export class PartnershipMetricsController {
  constructor(private readonly metrics: PartnershipMetricsService) {}

  /** Referrals by referring agency, RAG mix, share within deadline, outcomes, re-referrals (default: the last 12 months). */
  @Get('partnership')
  @Roles('manager')
  partnership(@CurrentUser() user: Principal, @Query(new ZodPipe(RangeSchema)) range: Range) {
    return this.metrics.compute(
      user.partnership,
      range.from ? new Date(range.from) : undefined,
      range.to ? new Date(range.to) : undefined,
    );
  }
}
