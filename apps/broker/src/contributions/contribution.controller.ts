import { Body, Controller, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/ids';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { ContributionSchema, type ContributionDto } from './contribution.dto';
import { ContributionService } from './contribution.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class ContributionController {
  constructor(private readonly contributions: ContributionService) {}

  /** A representative adds their agency's judgement, soft intelligence or history. */
  @Post('cases/:id/contributions')
  @Roles('agency-representative')
  @ApiZodBody(ContributionSchema)
  record(
    @CurrentUser() user: Principal,
    @Param('id', uuidParam) caseId: string,
    @Body(new ZodPipe(ContributionSchema)) dto: ContributionDto,
  ) {
    return this.contributions.record(user, caseId, dto);
  }

  @Get('cases/:id/contributions')
  @Roles('analyst', 'manager', 'agency-representative')
  list(@CurrentUser() user: Principal, @Param('id', uuidParam) caseId: string) {
    return this.contributions.list(user, caseId);
  }
}
