import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { UuidSchema } from '../common/ids';
import { renderTransparencyHtml } from './report.html';
import type { TransparencyReport } from './report';
import {
  ReportQuerySchema,
  WithholdSchema,
  type ReportQuery,
  type WithholdDto,
} from './transparency.dto';
import { TransparencyService } from './transparency.service';

const id = new ZodPipe(UuidSchema);

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class TransparencyController {
  constructor(private readonly transparency: TransparencyService) {}

  /**
   * JSON by default; a printable HTML page with `Accept: text/html` or `?format=html`. About the
   * child referred, or with `?member=<id>` about another person of the household.
   */
  @Get('cases/:id/transparency-report')
  @Roles('analyst', 'manager')
  @ApiProduces('application/json', 'text/html')
  @ApiQuery({ name: 'format', enum: ['json', 'html'], required: false })
  @ApiQuery({
    name: 'member',
    required: false,
    description: 'the household member the report is about (default: the child referred)',
  })
  async report(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Query(new ZodPipe(ReportQuerySchema)) query: ReportQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TransparencyReport | string> {
    const html =
      query.format === 'html' || (query.format !== 'json' && /\btext\/html\b/.test(accept ?? ''));
    const report = await this.transparency.report(
      user,
      caseId,
      html ? 'html' : 'json',
      query.member,
    );
    if (!html) return report;
    res.type('text/html; charset=utf-8');
    return renderTransparencyHtml(report);
  }

  /** Leaves an item out of the family's report because telling would put the child at risk. */
  @Post('cases/:id/transparency/withhold')
  @HttpCode(200)
  @Roles('manager')
  @ApiZodBody(WithholdSchema)
  withhold(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Body(new ZodPipe(WithholdSchema)) dto: WithholdDto,
  ) {
    return this.transparency.withhold(user, caseId, dto);
  }
}
