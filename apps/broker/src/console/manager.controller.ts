import { Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/ids';
import { ConsentService } from '../consent/consent.service';
import { PartnershipMetricsService } from '../partnership/partnership-metrics.service';
import { barChart } from './charts';
import { ConsolePages } from './decorators';
import { ConsoleSessions } from './session';
import { ConsoleViews, humanise } from './views';

type Req_ = Request & { user: Principal };
const RAG_TONE: Record<string, string> = { red: 'red', amber: 'amber', green: 'green' };

/** The manager's pages: consent overrides to approve, and the partnership's metrics. */
@ConsolePages()
@Controller('manager')
export class ManagerConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly sessions: ConsoleSessions,
    private readonly consent: ConsentService,
    private readonly metrics: PartnershipMetricsService,
  ) {}

  @Get('consent')
  @Roles('manager')
  async approvals(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const waiting = await this.consent.awaitingApproval(req.user);
    await this.views.page(req, res, 'approvals.njk', { title: 'Consent approvals', waiting });
  }

  @Post('consent/:caseId/:decisionId/approve')
  @Roles('manager')
  async approve(
    @Req() req: Req_,
    @Res() res: Response,
    @Param('caseId', uuidParam) caseId: string,
    @Param('decisionId', uuidParam) decisionId: string,
  ): Promise<void> {
    await this.consent.approve(req.user, caseId, decisionId);
    await this.sessions.flashAndRedirect(
      req,
      res,
      '/manager/consent',
      'Consent decision approved.',
    );
  }

  @Get('metrics')
  @Roles('manager')
  async partnership(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const m = await this.metrics.compute(req.user.partnership);
    const bars = (
      counts: Record<string, number>,
      label: (k: string) => string = (k) => String(humanise(k)),
    ) =>
      Object.entries(counts).map(([k, value]) => ({ label: label(k), value, tone: RAG_TONE[k] }));
    const d = m.deadlines;
    const charts = [
      { title: 'Referrals by referring agency', bars: bars(m.referralsByAgency) },
      { title: 'RAG mix', bars: bars(m.ragMix, (k) => k.toUpperCase()) },
      {
        title: 'Deadlines',
        bars: [
          { label: 'Decided on time', value: d.decidedOnTime, tone: 'green' },
          { label: 'Decided late', value: d.decidedLate, tone: 'amber' },
          { label: 'Open and overdue', value: d.openOverdue, tone: 'red' },
          { label: 'Open, within deadline', value: d.openWithinDeadline },
        ],
      },
      { title: 'Outcomes', bars: bars(m.outcomesByType) },
    ].map((c) => ({ ...c, svg: barChart(c.title, c.bars) }));
    await this.views.page(req, res, 'metrics.njk', { title: 'Partnership metrics', m, charts });
  }
}
