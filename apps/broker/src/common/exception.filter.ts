import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Request, Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { correlationIdOf } from './correlation';
import { answerFor } from './errors';

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  correlationId: string;
  details?: unknown;
}

const HTTP_CODES: Record<number, string> = {
  400: 'REQUEST.INVALID',
  401: 'AUTH.UNAUTHENTICATED',
  403: 'AUTH.FORBIDDEN',
  404: 'ROUTE.NOT_FOUND',
  405: 'REQUEST.METHOD_NOT_ALLOWED',
  413: 'REQUEST.TOO_LARGE',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** The one place errors become HTTP: `{ statusCode, code, message, correlationId }`. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void | Observable<never> {
    if (host.getType() !== 'http') {
      // Kafka handlers: let the transport see the failure (it redelivers); never shape it as HTTP.
      this.logger.error(
        `message handler failed: ${exception instanceof Error ? exception.name : 'unknown'}`,
        exception instanceof Error ? exception.stack : undefined,
      );
      return throwError(() => exception);
    }
    const http = host.switchToHttp();
    this.respond(http.getRequest<Request>(), http.getResponse<Response>(), exception);
  }

  /** Answers `req` with the error's body, status and `Retry-After` (also outside Nest: `queryDoor`). */
  respond(req: Request, res: Response, exception: unknown): void {
    const body = this.toBody(exception, correlationIdOf(req));
    // A refusal under load is expected and counted (mash_queries_refused_total): not an error.
    if (body.statusCode >= 500 && body.code !== 'QUERY.OVERLOADED') {
      // Log the type and stack only: messages from libraries could echo input.
      this.logger.error(
        `${req.method} ${req.route?.path ?? 'unmatched'} failed: ${exception instanceof Error ? exception.name : 'unknown'} [${body.correlationId}]`,
        exception instanceof Error ? exception.stack : undefined,
      );
    }
    // Overload and rate limits say when to try again (seconds), as HTTP asks.
    const retryAfter = (body.details as { retryAfterSeconds?: unknown } | undefined)
      ?.retryAfterSeconds;
    if (typeof retryAfter === 'number') res.setHeader('Retry-After', String(retryAfter));
    res.status(body.statusCode).json(body);
  }

  protected toBody(exception: unknown, correlationId: string): ErrorBody {
    // Domain and library errors: by code, through the one catalogue (`ERROR_STATUS`).
    const answer = answerFor(exception);
    if (answer) {
      const { status, details, ...rest } = answer;
      return {
        statusCode: status,
        ...rest,
        correlationId,
        ...(details !== undefined ? { details } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const given =
        typeof response === 'object' && response !== null
          ? (response as { code?: unknown }).code
          : undefined;
      const cause = (exception as { cause?: unknown }).cause;
      if (status === 400 && (cause instanceof SyntaxError || /JSON/.test(exception.message))) {
        return {
          statusCode: 400,
          code: 'REQUEST.MALFORMED_JSON',
          message: 'request body is not valid JSON',
          correlationId,
        };
      }
      return {
        statusCode: status,
        code: typeof given === 'string' ? given : (HTTP_CODES[status] ?? `HTTP.${status}`),
        message: status === 404 && typeof given !== 'string' ? 'no such route' : exception.message,
        correlationId,
      };
    }
    const typed = exception as { type?: string; status?: number; statusCode?: number };
    if (typed?.type === 'entity.parse.failed') {
      return {
        statusCode: 400,
        code: 'REQUEST.MALFORMED_JSON',
        message: 'request body is not valid JSON',
        correlationId,
      };
    }
    if (typed?.type === 'entity.too.large') {
      return {
        statusCode: 413,
        code: 'REQUEST.TOO_LARGE',
        message: 'request body is too large',
        correlationId,
      };
    }
    return { statusCode: 500, code: 'INTERNAL', message: 'internal error', correlationId };
  }
}
