import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Put,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { thresholdMatrixJsonSchema } from '@mash/thresholds';
import { CurrentUser, Public, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { parseSide, type Side, ThresholdVersionsService } from './threshold-versions.service';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ActivateSchema = z
  .object({ effectiveFrom: z.string().regex(ISO_DATE, 'expected YYYY-MM-DD').optional() })
  .strict()
  .default({});
const PublicationSchema = z.object({ published: z.boolean() }).strict();
const sideOf = (name: string) =>
  z.string().transform((text, ctx): Side => {
    const side = parseSide(text);
    if (!side) {
      ctx.addIssue({
        code: 'custom',
        message: `${name}: expected a version number, current, partnership:<id> or baseline:<name>`,
      });
      return z.NEVER;
    }
    return side;
  });
const CompareSchema = z.object({ left: sideOf('left'), right: sideOf('right') }).strict();

/**
 * The partnership's threshold matrices, versioned like its agreements: managers draft and
 * activate (two different managers), analysts and auditors read. Not in the external contract's
 * table: documented in docs/thresholds.md.
 */
@ApiTags('thresholds')
@ApiBearerAuth()
@Controller('api/v1/thresholds')
export class ThresholdController {
  constructor(private readonly versions: ThresholdVersionsService) {}

  /** The published JSON Schema a matrix file is checked against. */
  @Get('schema')
  @Public()
  schema() {
    return thresholdMatrixJsonSchema();
  }

  @Get()
  @Roles('analyst', 'manager', 'auditor')
  list(@CurrentUser() user: Principal) {
    return this.versions.list(user);
  }

  /** Two matrices side by side, per concern: level, RAG and deadline differences. */
  @Get('compare')
  @Roles('analyst', 'manager', 'auditor')
  @ApiQuery({
    name: 'left',
    example: 'current',
    description: 'N, current, partnership:<id> or baseline:<name>',
  })
  @ApiQuery({ name: 'right', example: 'baseline:regional' })
  compare(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(CompareSchema)) q: z.infer<typeof CompareSchema>,
  ) {
    return this.versions.compare(user, q.left, q.right);
  }

  /** Whether other partnerships may compare against this partnership's matrix in force (opt-in). */
  @Put('publication')
  @Roles('manager')
  @ApiZodBody(PublicationSchema)
  publish(
    @CurrentUser() user: Principal,
    @Body(new ZodPipe(PublicationSchema)) body: z.infer<typeof PublicationSchema>,
  ) {
    return this.versions.setPublished(user, body.published);
  }

  @Get(':version')
  @Roles('analyst', 'manager', 'auditor')
  get(@CurrentUser() user: Principal, @Param('version', ParseIntPipe) version: number) {
    return this.versions.get(user, version);
  }

  @Post()
  @Roles('manager')
  @ApiConsumes('application/yaml', 'application/json')
  @ApiBody({
    description:
      'A threshold matrix in the file format (see GET /api/v1/thresholds/schema); partnership and version may be left out. Stored as a draft.',
  })
  draft(@CurrentUser() user: Principal, @Body() body: unknown) {
    return this.versions.draft(user, body);
  }

  /** By a manager other than the drafter; `effectiveFrom` (a local date) overrides the draft's. */
  @Post(':version/activate')
  @HttpCode(200)
  @Roles('manager')
  @ApiZodBody(ActivateSchema)
  activate(
    @CurrentUser() user: Principal,
    @Param('version', ParseIntPipe) version: number,
    @Body(new ZodPipe(ActivateSchema)) body: z.infer<typeof ActivateSchema>,
  ) {
    return this.versions.activate(user, version, body.effectiveFrom);
  }
}
