import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/ids';
import { CaseFileService } from './case-file.service';
import { ChronologyService } from './chronology.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class CaseFileController {
  constructor(
    private readonly caseFile: CaseFileService,
    private readonly chronology: ChronologyService,
  ) {}

  /** The whole case; an agency representative gets the minimised view (docs/workflow.md). */
  @Get('cases/:id')
  @Roles('analyst', 'manager', 'agency-representative')
  read(@CurrentUser() user: Principal, @Param('id', uuidParam) caseId: string) {
    return this.caseFile.read(user, caseId);
  }

  @Get('cases/:id/chronology')
  @Roles('analyst', 'manager')
  readChronology(@CurrentUser() user: Principal, @Param('id', uuidParam) caseId: string) {
    return this.chronology.read(user, caseId);
  }
}
