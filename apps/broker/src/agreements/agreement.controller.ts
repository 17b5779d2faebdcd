import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { agreementJsonSchema } from '@mash/policy';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ZodPipe } from '../common/zod.pipe';
import { UuidSchema } from '../cases/case.dto';
import { AgreementService } from './agreement.service';

const id = new ZodPipe(UuidSchema);
const SuspendSchema = z.object({ reason: z.string().trim().min(5).max(2000) }).strict();

@ApiTags('agreements')
@ApiBearerAuth()
@Controller('api/v1/agreements')
export class AgreementController {
  constructor(private readonly agreements: AgreementService) {}

  /** The published JSON Schema that agreement files are checked against. */
  @Get('schema')
  @Public()
  schema() {
    return agreementJsonSchema();
  }

  @Get()
  @Roles('analyst', 'manager', 'auditor', 'agreement-admin')
  list(@CurrentUser() user: Principal) {
    return this.agreements.list(user);
  }

  @Get(':id')
  @Roles('analyst', 'manager', 'auditor', 'agreement-admin')
  get(@CurrentUser() user: Principal, @Param('id', id) agreementId: string) {
    return this.agreements.get(user, agreementId);
  }

  @Post()
  @Roles('agreement-admin')
  @ApiBody({ description: 'An agreement version (see GET /api/v1/agreements/schema); stored as a draft.' })
  create(@CurrentUser() user: Principal, @Body() body: unknown) {
    return this.agreements.createDraft(user, body);
  }

  @Post(':id/versions/:version/activate')
  @HttpCode(200)
  @Roles('agreement-admin')
  activate(@CurrentUser() user: Principal, @Param('id', id) agreementId: string, @Param('version', ParseIntPipe) version: number) {
    return this.agreements.activate(user, agreementId, version);
  }

  @Post(':id/versions/:version/suspend')
  @HttpCode(200)
  @Roles('agreement-admin')
  suspend(
    @CurrentUser() user: Principal,
    @Param('id', id) agreementId: string,
    @Param('version', ParseIntPipe) version: number,
    @Body(new ZodPipe(SuspendSchema)) body: { reason: string },
  ) {
    return this.agreements.suspend(user, agreementId, version, body.reason);
  }
}
