import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import type { AuditEntry, Page } from '@mash/audit';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { correlationIdOf } from '../common/correlation';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import {
  AuditEventsQuerySchema,
  AuditReportQuerySchema,
  AuditVerifyQuerySchema,
  ConsistencyProofQuerySchema,
  InclusionProofQuerySchema,
  PseudonymRequestSchema,
  ReportNameSchema,
  type AuditEventsQuery,
  type AuditReportQuery,
  type AuditVerifyQuery,
  type ConsistencyProofQuery,
  type InclusionProofQuery,
  type PseudonymRequest,
  type ReportName,
} from './auditor.dto';
import {
  AuditorService,
  type ConsistencyProofReport,
  type InclusionProofReport,
  type VerifyReport,
} from './auditor.service';

/** The security team's view of the audit log, scoped to the auditor's partnership. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller('api/v1/audit')
export class AuditorController {
  constructor(private readonly auditor: AuditorService) {}

  /** Search (a page, newest first, `nextCursor`), or with `format=jsonl|csv` a streamed export. */
  @Get('events')
  @Roles('auditor')
  async events(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(AuditEventsQuerySchema)) q: AuditEventsQuery,
    @Req() req: Request,
  ): Promise<Page<AuditEntry> | StreamableFile> {
    const result = await this.auditor.events(user, q, correlationIdOf(req));
    if (result.kind === 'page') return result.page;
    return new StreamableFile(result.stream, {
      type: result.contentType,
      disposition: `attachment; filename="${result.filename}"`,
    });
  }

  /** Verifies the partnership's chain, whole or `?from=&to=` (chain positions or ISO times). */
  @Get('verify')
  @Roles('auditor')
  verify(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(AuditVerifyQuerySchema)) q: AuditVerifyQuery,
    @Req() req: Request,
  ): Promise<VerifyReport> {
    return this.auditor.verify(user, q, correlationIdOf(req));
  }

  /** RFC 9162 inclusion proof of the entry at chain `position` (default tree: the latest signed head). */
  @Get('proofs/inclusion')
  @Roles('auditor')
  inclusionProof(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(InclusionProofQuerySchema)) q: InclusionProofQuery,
    @Req() req: Request,
  ): Promise<InclusionProofReport> {
    return this.auditor.inclusionProof(user, q, correlationIdOf(req));
  }

  /** RFC 9162 consistency proof between two tree sizes (signed heads) of the partnership's chain. */
  @Get('proofs/consistency')
  @Roles('auditor')
  consistencyProof(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(ConsistencyProofQuerySchema)) q: ConsistencyProofQuery,
    @Req() req: Request,
  ): Promise<ConsistencyProofReport> {
    return this.auditor.consistencyProof(user, q, correlationIdOf(req));
  }

  @Get('reports/:name')
  @Roles('auditor')
  report(
    @CurrentUser() user: Principal,
    @Param('name', new ZodPipe(ReportNameSchema, 'name')) name: ReportName,
    @Query(new ZodPipe(AuditReportQuerySchema)) q: AuditReportQuery,
    @Req() req: Request,
  ) {
    return this.auditor.report(user, name, q, correlationIdOf(req));
  }

  /** The pseudonym tokens of a child, from an NHS number and/or name and date of birth. */
  @Post('pseudonym')
  @HttpCode(200)
  @Roles('auditor')
  @ApiZodBody(PseudonymRequestSchema)
  pseudonym(
    @CurrentUser() user: Principal,
    @Body(new ZodPipe(PseudonymRequestSchema)) body: PseudonymRequest,
    @Req() req: Request,
  ) {
    return this.auditor.pseudonym(user, body, correlationIdOf(req));
  }
}
