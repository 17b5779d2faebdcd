import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ZodPipe } from '../common/zod.pipe';
import { ConsistencyService } from './consistency.service';

const date = z.iso.date();
const RangeSchema = z.object({ from: date.optional(), to: date.optional() }).strict();

@ApiTags('thresholds')
@ApiBearerAuth()
@Controller('api/v1/thresholds')
export class ConsistencyController {
  constructor(private readonly consistency: ConsistencyService) {}

  /**
   * How often first ratings are changed (by concern, by pseudonymised analyst) and what each agency
   * was asked against its capacity, over London dates `from`..`to` inclusive (default: 28 days to today).
   */
  @Get('consistency')
  @Roles('manager', 'analyst', 'auditor')
  @ApiQuery({ name: 'from', required: false, description: 'first London date, YYYY-MM-DD' })
  @ApiQuery({ name: 'to', required: false, description: 'last London date, YYYY-MM-DD (included)' })
  report(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(RangeSchema)) range: z.infer<typeof RangeSchema>,
  ) {
    return this.consistency.report(user, range);
  }
}
