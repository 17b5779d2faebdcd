import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { uuidParam } from '../common/ids';
import { ApiZodBody } from '../common/openapi';
import { ZodPipe } from '../common/zod.pipe';
import { AgendaQuerySchema, MeetingSchema, type AgendaQuery, type MeetingDto } from './meeting.dto';
import { MeetingService } from './meeting.service';

@ApiTags('meetings')
@ApiBearerAuth()
@Controller('api/v1/meetings')
export class MeetingController {
  constructor(private readonly meetings: MeetingService) {}

  /** Records a daily MASH meeting or strategy discussion; each action goes to its agency. */
  @Post()
  @Roles('analyst', 'manager')
  @ApiZodBody(MeetingSchema)
  record(@CurrentUser() user: Principal, @Body(new ZodPipe(MeetingSchema)) dto: MeetingDto) {
    return this.meetings.record(user, dto);
  }

  // Declared before `:id`, which would otherwise take "agenda" for an id.
  @Get('agenda')
  @Roles('analyst', 'manager', 'agency-representative')
  agenda(
    @CurrentUser() user: Principal,
    @Query(new ZodPipe(AgendaQuerySchema)) query: AgendaQuery,
  ) {
    return this.meetings.agenda(user, query);
  }

  @Get(':id')
  @Roles('analyst', 'manager', 'agency-representative')
  read(@CurrentUser() user: Principal, @Param('id', uuidParam) id: string) {
    return this.meetings.read(user, id);
  }
}
