import type { Request, Response } from 'express';
import type { Principal } from '../auth/principal';
import { brokerError } from '../common/errors';
import type { QueryEventsService } from './query-events.service';

function lastEventIdOf(header: string | undefined): number | undefined {
  if (header === undefined || header === '') return undefined;
  if (!/^\d{1,15}$/.test(header))
    throw brokerError('REQUEST.INVALID', 'Last-Event-ID must be the id of an event of this stream');
  return Number(header);
}

/**
 * Writes a query's Server-Sent Events to `res` until the query is no longer pending or the client
 * goes: the API (bearer token) and the console (session cookie, which is all an EventSource can
 * send) serve the same stream through this.
 */
export async function writeQueryEvents(
  events: QueryEventsService,
  user: Principal,
  queryId: string,
  req: Request,
  res: Response,
): Promise<void> {
  const lastEventId = req.headers['last-event-id'];
  const stream = await events.open(
    user,
    queryId,
    lastEventIdOf(Array.isArray(lastEventId) ? lastEventId[0] : lastEventId),
  );
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
