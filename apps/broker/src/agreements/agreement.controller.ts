import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Query,
  Res,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { z } from 'zod';
import { agreementJsonSchema } from '@mash/policy';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ZodPipe } from '../common/zod.pipe';
import { UuidSchema } from '../common/ids';
import { AgreementService, type ExportFormat } from './agreement.service';

const id = new ZodPipe(UuidSchema);
const FormatSchema = z.enum(['yaml', 'json']).default('yaml');
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
  @Roles('analyst', 'manager', 'auditor', 'agreement-admin', 'agency-representative')
  list(@CurrentUser() user: Principal) {
    return this.agreements.list(user);
  }

  @Get(':id')
  @Roles('analyst', 'manager', 'auditor', 'agreement-admin', 'agency-representative')
  get(@CurrentUser() user: Principal, @Param('id', id) agreementId: string) {
    return this.agreements.get(user, agreementId);
  }

  /** One version as a YAML or JSON file, ready to review, validate and POST again as a new version. */
  @Get(':id/versions/:version/export')
  @Roles('analyst', 'manager', 'auditor', 'agreement-admin', 'agency-representative')
  @ApiQuery({ name: 'format', enum: ['yaml', 'json'], required: false })
  @ApiProduces('application/yaml', 'application/json')
  async export(
    @CurrentUser() user: Principal,
    @Param('id', id) agreementId: string,
    @Param('version', ParseIntPipe) version: number,
    @Query('format', new ZodPipe(FormatSchema)) format: ExportFormat,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const file = await this.agreements.exportFile(user, agreementId, version, format);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${file.fileName}"`);
    return file.body;
  }

  @Post()
  @Roles('agreement-admin')
  @ApiBody({
    description: 'An agreement version (see GET /api/v1/agreements/schema); stored as a draft.',
  })
  create(@CurrentUser() user: Principal, @Body() body: unknown) {
    return this.agreements.createDraft(user, body);
  }

  @Post(':id/versions/:version/activate')
  @HttpCode(200)
  @Roles('agreement-admin')
  activate(
    @CurrentUser() user: Principal,
    @Param('id', id) agreementId: string,
    @Param('version', ParseIntPipe) version: number,
  ) {
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
