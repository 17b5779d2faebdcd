import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { currentCorrelationId, validCorrelationId, withCorrelationId } from '@mash/common';

const HEADER = 'x-correlation-id';

/** The correlation id of the request or Kafka message being handled, if any. */
export { currentCorrelationId };

export function correlationIdOf(req: Request): string {
  return (req as Request & { correlationId?: string }).correlationId ?? 'unknown';
}

/** Every request gets a correlation id (the caller's, if well-formed), echoed in the response. */
export function correlationMiddleware(req: Request, res: Response, next: NextFunction): void {
  const id = validCorrelationId(req.header(HEADER)) ?? randomUUID();
  (req as Request & { correlationId?: string }).correlationId = id;
  res.setHeader(HEADER, id);
  // Everything the request runs (guards, services, audit writes) sees the id, so each audit
  // entry it causes can be traced from the correlationId an error or response carried.
  withCorrelationId(id, next);
}

/**
 * A server span for each request when tracing is on and no HTTP instrumentation made one (the
 * tests' in-memory tracer): the root of the trace a query follows through Kafka and back.
 */
export function traceMiddleware(req: Request, res: Response, next: NextFunction): void {
  if (trace.getActiveSpan()) return next();
  const span = trace.getTracer('mash').startSpan(
    `HTTP ${req.method}`,
    {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': req.method, 'url.path': req.path },
    },
    propagation.extract(context.active(), req.headers),
  );
  res.on('finish', () => {
    span.setAttribute('http.response.status_code', res.statusCode);
    span.end();
  });
  context.with(trace.setSpan(context.active(), span), next);
}
