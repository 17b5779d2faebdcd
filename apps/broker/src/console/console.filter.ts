import { ArgumentsHost, Catch, Injectable, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../auth/principal';
import { correlationIdOf } from '../common/correlation';
import { GlobalExceptionFilter } from '../common/exception.filter';
import { ConsoleViews } from './views';

/**
 * Errors on console pages become pages: a request without a session goes to the sign-in page; any
 * other error is shown with its plain-English message, its code and the correlation id to quote,
 * chosen by the same mapping as the API's JSON errors.
 */
@Catch()
@Injectable()
export class ConsoleExceptionFilter extends GlobalExceptionFilter {
  private readonly log = new Logger('Console');

  constructor(private readonly views: ConsoleViews) {
    super();
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { user?: Principal }>();
    const res = http.getResponse<Response>();
    const body = this.toBody(exception, correlationIdOf(req));
    if (body.code === 'CONSOLE.SIGN_IN_REQUIRED') {
      res.redirect(303, '/sign-in');
      return;
    }
    if (body.statusCode >= 500)
      this.log.error(
        `${req.method} ${req.route?.path ?? 'unmatched'} failed: ${exception instanceof Error ? exception.name : 'unknown'} [${body.correlationId}]`,
        exception instanceof Error ? exception.stack : undefined,
      );
    void this.views
      .page(req, res, 'error.njk', { error: body }, body.statusCode)
      .catch(() => res.status(body.statusCode).type('text').send(body.message));
  }
}
