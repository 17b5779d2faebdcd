import { Controller, Get, Headers, Param, Req, Res } from '@nestjs/common';
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
import { brokerError } from '../common/errors';
import { UuidSchema } from '../common/ids';
import { ZodPipe } from '../common/zod.pipe';
import { QueryEventsService } from './query-events.service';

const id = new ZodPipe(UuidSchema);

function lastEventIdOf(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  if (!/^\d{1,15}$/.test(header))
    throw brokerError('REQUEST.INVALID', 'Last-Event-ID must be the id of an event of this stream');
  return Number(header);
}

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
  async follow(
    @CurrentUser() user: Principal,
    @Param('id', id) queryId: string,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const stream = await this.events.open(user, queryId, lastEventIdOf(lastEventId));
    if (!stream) {
      res.status(204).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // nginx and similar proxies otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    req.on('close', () => stream.stop());
    await stream.start({
      event: (eventId, type, data) =>
        res.write(`id: ${eventId}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`),
      comment: (text) => res.write(`: ${text}\n\n`),
      end: () => res.end(),
    });
  }
}
