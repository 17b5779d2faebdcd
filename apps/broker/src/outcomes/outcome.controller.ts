import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { UuidSchema } from '../common/ids';
import { OutcomeSchema, type OutcomeDto } from './outcome.dto';
import { OutcomeService } from './outcome.service';

const id = new ZodPipe(UuidSchema);

@ApiTags('cases')
@ApiBearerAuth()
@Controller('api/v1')
export class OutcomeController {
  constructor(private readonly outcomes: OutcomeService) {}

  /** Records the MASH decision, closes the case unless `close: false`, and feeds it back to agencies. */
  @Post('cases/:id/outcome')
  @Roles('analyst', 'manager')
  @ApiZodBody(OutcomeSchema)
  record(
    @CurrentUser() user: Principal,
    @Param('id', id) caseId: string,
    @Body(new ZodPipe(OutcomeSchema)) dto: OutcomeDto,
  ) {
    return this.outcomes.record(user, caseId, dto);
  }
}
