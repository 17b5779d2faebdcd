import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import { ROLES, type Principal } from '../auth/principal';
import { AgencyStatusService } from './agency-status.service';

@ApiTags('agencies')
@ApiBearerAuth()
@Controller('api/v1/agencies')
export class AgencyStatusController {
  constructor(private readonly agencies: AgencyStatusService) {}

  /** Each agency's adapter: up or down, when last heard from, and how fresh its source data is. */
  @Get('status')
  @Roles(...ROLES)
  status(@CurrentUser() user: Principal) {
    return this.agencies.status(user.partnership);
  }
}
