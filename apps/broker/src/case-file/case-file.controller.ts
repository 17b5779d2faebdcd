import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/ids';
import { CaseFileService } from './case-file.service';

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class CaseFileController {
  constructor(private readonly caseFile: CaseFileService) {}

  @Get('cases/:id')
  @Roles('analyst', 'manager')
  read(@CurrentUser() user: Principal, @Param('id', uuidParam) caseId: string) {
    return this.caseFile.read(user, caseId);
  }
}
