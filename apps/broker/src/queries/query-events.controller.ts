import { Controller, Get, Param, Req, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { CurrentUser, Roles } from '../auth/decorators';
import type { Principal } from '../auth/principal';
import { UuidSchema } from '../common/ids';
import { ZodPipe } from '../common/zod.pipe';
import { writeQueryEvents } from './query-events.http';
import { QueryEventsService } from './query-events.service';

const id = new ZodPipe(UuidSchema);

@ApiTags('queries')
@ApiBearerAuth()
@Controller('api/v1')
export class QueryEventsController {
  constructor(private readonly events: QueryEventsService) {}

  @Get('queries/:id/events')
  @Roles('analyst', 'manager')
  @ApiOperation({
    summary: "Follow a query's answers as Server-Sent Events",
    description:
      "A `text/event-stream`. Each time an agency's part of the query changes (an answer arrived, it timed out or failed, it left the capacity queue) an `agency` event carries that part exactly as `GET /api/v1/queries/:id` shows it in `agencies[]` (minimised; viewing released records is audited). When the query is no longer pending a last `query` event carries `{ id, status, completedAt }` and the stream ends. Event ids are the query's event numbers: a client reconnecting with `Last-Event-ID` receives only what it missed; with none it receives every change since the query was made. A comment line (`: keep-alive`) every `QUERY_EVENTS_HEARTBEAT_SECONDS` keeps proxies from closing the stream. A client that reconnects after the last event gets 204 (an EventSource then stops).",
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({
    name: 'Last-Event-ID',
    required: false,
    description: 'The id of the last event received, when reconnecting',
  })
  @ApiOkResponse({
    description:
      'id: 42\\nevent: agency\\ndata: {"agency":"police","decision":"permit","status":"match",…}\\n\\n … id: 45\\nevent: query\\ndata: {"id":"…","status":"complete","completedAt":"…"}',
  })
  @ApiNoContentResponse({ description: 'The query has finished and the client has its last event' })
  @ApiNotFoundResponse({ description: 'No such query in the caller’s partnership' })
  follow(
    @CurrentUser() user: Principal,
    @Param('id', id) queryId: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return writeQueryEvents(this.events, user, queryId, req, res);
  }
}
