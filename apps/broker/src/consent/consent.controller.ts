import { Body, Controller, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/ids';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { ConsentSchema, type ConsentDto } from './consent.dto';
import { ConsentService } from './consent.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class ConsentController {
  constructor(private readonly consent: ConsentService) {}

  @Put('cases/:id/consent')
  @Roles('analyst', 'manager')
  @ApiZodBody(ConsentSchema)
  record(
    @CurrentUser() user: Principal,
    @Param('id', uuidParam) caseId: string,
    @Body(new ZodPipe(ConsentSchema)) dto: ConsentDto,
  ) {
    return this.consent.record(user, caseId, dto);
  }

  @Post('cases/:id/consent/:decisionId/approve')
  @HttpCode(200)
  @Roles('manager')
  approve(
    @CurrentUser() user: Principal,
    @Param('id', uuidParam) caseId: string,
    @Param('decisionId', uuidParam) decisionId: string,
  ) {
    return this.consent.approve(user, caseId, decisionId);
  }
}
