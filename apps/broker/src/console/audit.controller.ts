import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import {
  AuditEventsQuerySchema,
  AuditReportQuerySchema,
  PseudonymRequestSchema,
  REPORTS,
  ReportNameSchema,
} from '../auditor/auditor.dto';
import { AuditorService } from '../auditor/auditor.service';
import { correlationIdOf } from '../common/correlation';
import { brokerError } from '../common/errors';
import { ConsolePages } from './decorators';
import { dateInput, noErrors, text, zodFormErrors } from './forms';
import { ConsoleViews } from './views';

type Req_ = Request & { user: Principal };
const FILTERS = ['actor', 'case', 'agency', 'action', 'outcome', 'from', 'to', 'subject'] as const;

const REPORT_TITLES: Record<string, string> = {
  'subject-accesses': 'Who looked at a child',
  'no-open-case': 'Access with no open case',
  'out-of-hours': 'Access out of hours',
  'unusual-volume': 'Unusual volume',
  'denied-then-retried': 'Denied, then retried',
};

/** The auditor's pages: search and export the log, verify it, the standard reports, pseudonyms. */
@ConsolePages()
@Controller('audit')
export class AuditConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly auditor: AuditorService,
  ) {}

  /** Search: the filters are the query string, so a search is a link an auditor can keep. */
  @Get()
  @Roles('auditor')
  async search(
    @Req() req: Req_,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const filters = this.filtersOf(query);
    const searched = Object.keys(filters).length > 0 || typeof query.cursor === 'string';
    const parsed = AuditEventsQuerySchema.safeParse({
      ...filters,
      ...(typeof query.cursor === 'string' ? { cursor: query.cursor } : {}),
      limit: 50,
    });
    if (!parsed.success) {
      const errors = zodFormErrors(parsed.error, {
        case: { id: 'case', message: 'Enter the case reference as it appears in the console' },
        subject: {
          id: 'subject',
          message: 'Enter a 64-character pseudonym from the pseudonym lookup',
        },
        action: { id: 'action', message: 'Enter an action such as case.viewed or query.*' },
        outcome: { id: 'outcome', message: 'Select an outcome' },
        from: { id: 'from', message: 'Enter the from date as YYYY-MM-DD' },
        to: { id: 'to', message: 'Enter the to date as YYYY-MM-DD' },
        '': { id: 'actor', message: 'Check the search' },
      });
      await this.views.page(
        req,
        res,
        'audit.njk',
        { title: 'Audit log', filters: query, errors },
        400,
      );
      return;
    }
    const result = searched
      ? await this.auditor.events(req.user, parsed.data, correlationIdOf(req))
      : undefined;
    const exportQuery = new URLSearchParams(filters as Record<string, string>).toString();
    await this.views.page(req, res, 'audit.njk', {
      title: 'Audit log',
      filters: query,
      errors: noErrors(),
      page: result?.kind === 'page' ? result.page : undefined,
      nextQuery:
        result?.kind === 'page' && result.page.nextCursor
          ? new URLSearchParams({
              ...(filters as Record<string, string>),
              cursor: result.page.nextCursor,
            }).toString()
          : undefined,
      exportQuery,
    });
  }

  @Get('export')
  @Roles('auditor')
  async export(
    @Req() req: Req_,
    @Res() res: Response,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const format = query.format === 'jsonl' ? 'jsonl' : 'csv';
    const parsed = AuditEventsQuerySchema.safeParse({ ...this.filtersOf(query), format });
    if (!parsed.success)
      throw brokerError('AUDIT.INVALID_QUERY', 'the export filters are not valid; search again');
    const result = await this.auditor.events(req.user, parsed.data, correlationIdOf(req));
    if (result.kind !== 'export') throw brokerError('AUDIT.INVALID_QUERY', 'not an export');
    res.setHeader('Content-Type', result.contentType);
    res.setHeader('Content-Disposition', `attachment; filename="${result.filename}"`);
    res.setHeader('Cache-Control', 'no-store');
    result.stream.pipe(res);
  }

  @Get('verify')
  @Roles('auditor')
  async verify(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const report = await this.auditor.verify(req.user, {}, correlationIdOf(req));
    await this.views.page(req, res, 'verify.njk', { title: 'Verify the audit log', report });
  }

  @Get('reports')
  @Roles('auditor')
  async reports(@Req() req: Req_, @Res() res: Response): Promise<void> {
    await this.views.page(req, res, 'reports.njk', {
      title: 'Audit reports',
      reports: REPORTS.filter((r) => r !== 'subject-accesses').map((r) => ({
        name: r,
        title: REPORT_TITLES[r],
      })),
    });
  }

  @Get('reports/:name')
  @Roles('auditor')
  async report(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('name') name: string,
    @Query() query: Record<string, unknown>,
  ): Promise<void> {
    const report = ReportNameSchema.safeParse(name);
    if (!report.success) throw brokerError('AUDIT.INVALID_QUERY', 'there is no such report');
    const q = AuditReportQuerySchema.safeParse({
      ...(typeof query.subject === 'string' && query.subject ? { subject: query.subject } : {}),
      limit: 200,
    });
    if (!q.success) throw brokerError('AUDIT.INVALID_QUERY', 'the report needs a valid pseudonym');
    const result = await this.auditor.report(req.user, report.data, q.data, correlationIdOf(req));
    const items = result.items as Array<Record<string, unknown>>;
    const columns = [...new Set(items.flatMap((i) => Object.keys(i)))].filter(
      (c) => c !== 'details' && c !== 'prevHash' && c !== 'hash',
    );
    await this.views.page(req, res, 'report-table.njk', {
      title: REPORT_TITLES[report.data],
      columns,
      rows: items.map((i) =>
        columns.map((c) => (typeof i[c] === 'object' ? JSON.stringify(i[c]) : String(i[c] ?? ''))),
      ),
    });
  }

  @Get('pseudonym')
  @Roles('auditor')
  async pseudonymForm(@Req() req: Req_, @Res() res: Response): Promise<void> {
    await this.views.page(req, res, 'pseudonym.njk', {
      title: 'Pseudonym lookup',
      form: {},
      errors: noErrors(),
    });
  }

  @Post('pseudonym')
  @Roles('auditor')
  async pseudonym(
    @Req() req: Req_,
    @Res() res: Response,
    @Body() form: Record<string, unknown>,
  ): Promise<void> {
    const dob = dateInput(
      form['dateOfBirth-day'],
      form['dateOfBirth-month'],
      form['dateOfBirth-year'],
    );
    const parsed = PseudonymRequestSchema.safeParse({
      ...(text(form.nhsNumber) ? { nhsNumber: text(form.nhsNumber) } : {}),
      ...(text(form.givenName) ? { givenName: text(form.givenName) } : {}),
      ...(text(form.familyName) ? { familyName: text(form.familyName) } : {}),
      ...('date' in dob ? { dateOfBirth: dob.date } : {}),
    });
    if (!parsed.success) {
      const errors = zodFormErrors(parsed.error, {
        nhsNumber: { id: 'nhsNumber', message: 'Enter a 10-digit NHS number' },
        '': {
          id: 'nhsNumber',
          message: 'Enter an NHS number, or the given name, family name and date of birth together',
        },
      });
      await this.views.page(
        req,
        res,
        'pseudonym.njk',
        { title: 'Pseudonym lookup', form, errors },
        400,
      );
      return;
    }
    const result = await this.auditor.pseudonym(req.user, parsed.data, correlationIdOf(req));
    await this.views.page(req, res, 'pseudonym.njk', {
      title: 'Pseudonym lookup',
      form,
      errors: noErrors(),
      result,
    });
  }

  private filtersOf(query: Record<string, unknown>): Record<string, string> {
    const filters: Record<string, string> = {};
    for (const key of FILTERS) {
      const value = text(query[key]);
      if (value) filters[key] = value;
    }
    return filters;
  }
}
