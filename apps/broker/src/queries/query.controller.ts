import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { UuidSchema } from '../common/ids';
import {
  CreateQuerySchema,
  MatchResolutionSchema,
  type CreateQueryDto,
  type MatchResolutionDto,
} from './query.dto';
import { MatchResolutionService } from './match-resolution.service';
import { QueryService } from './query.service';

const id = new ZodPipe(UuidSchema);

@ApiTags('queries')
@ApiBearerAuth()
@Controller('api/v1')
export class QueryController {
  constructor(
    private readonly queries: QueryService,
    private readonly resolutions: MatchResolutionService,
  ) {}

  @Post('cases/:id/queries')
  @HttpCode(202)
  @Roles('analyst')
  @ApiZodBody(CreateQuerySchema)
  create(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Body(new ZodPipe(CreateQuerySchema)) dto: CreateQueryDto,
  ) {
    return this.queries.create(user, caseId, dto);
  }

  /** What each agency would share for this purpose on this case, and why. Sends nothing. */
  @Post('cases/:id/queries/dry-run')
  @HttpCode(200)
  @Roles('analyst', 'manager', 'agreement-admin')
  @ApiZodBody(CreateQuerySchema)
  dryRun(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Body(new ZodPipe(CreateQuerySchema)) dto: CreateQueryDto,
  ) {
    return this.queries.dryRun(user, caseId, dto);
  }

  @Get('queries/:id')
  @Roles('analyst', 'manager')
  read(@CurrentUser() user: Principal, @Param('id', id) queryId: string) {
    return this.queries.read(user, queryId);
  }

  /**
   * An agency's representative confirms or rejects a possible match their agency answered, about
   * the child (no `memberId`) or a household member. The agency is the representative's own.
   */
  @Post('queries/:id/resolution')
  @HttpCode(200)
  @Roles('agency-representative')
  @ApiZodBody(MatchResolutionSchema)
  resolve(
    @CurrentUser() user: Principal,
    @Param('id', id) queryId: string,
    @Body(new ZodPipe(MatchResolutionSchema)) dto: MatchResolutionDto,
  ) {
    return this.resolutions.resolve(user, queryId, dto);
  }
}
