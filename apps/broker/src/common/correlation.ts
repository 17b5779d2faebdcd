import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

const HEADER = 'x-correlation-id';

/** The current HTTP request's correlation id, for code far from the request (the audit log). */
const current = new AsyncLocalStorage<string>();

/** The correlation id of the HTTP request being served, if any (none in Kafka handlers). */
export function currentCorrelationId(): string | undefined {
  return current.getStore();
}

export function correlationIdOf(req: Request): string {
  return (req as Request & { correlationId?: string }).correlationId ?? 'unknown';
}

/** Every request gets a correlation id (the caller's, if well-formed), echoed in the response. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const given = req.header(HEADER);
  const id = given && /^[A-Za-z0-9-]{8,64}$/.test(given) ? given : randomUUID();
  (req as Request & { correlationId?: string }).correlationId = id;
  res.setHeader(HEADER, id);
  // Everything the request runs (guards, services, audit writes) sees the id, so each audit
  // entry it causes can be traced from the correlationId an error or response carried.
  current.run(id, next);
}
