import { Controller, Get, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AgencyStatusService } from '../agencies/agency-status.service';
import { Roles } from '../auth/decorators';
import { ROLES, type Principal } from '../auth/principal';
import { ConsolePages } from './decorators';
import { ConsoleViews } from './views';

type Req_ = Request & { user: Principal };

/** Operations: whether each agency's adapter is up and how fresh its data is. */
@ConsolePages()
@Controller('operations')
export class OperationsConsoleController {
  constructor(
    private readonly views: ConsoleViews,
    private readonly agencies: AgencyStatusService,
  ) {}

  @Get()
  @Roles(...ROLES)
  async status(@Req() req: Req_, @Res() res: Response): Promise<void> {
    const report = await this.agencies.status(req.user.partnership);
    await this.views.page(req, res, 'operations.njk', {
      title: 'Agencies',
      report,
      down: report.agencies.filter((a) => a.status === 'down').length,
    });
  }
}
