import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { ROLES_KEY } from '../auth/decorators';
import type { Principal, Role } from '../auth/principal';
import { SecurityEvents } from '../auth/security-events';
import { correlationIdOf } from '../common/correlation';
import { brokerError } from '../common/errors';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { ANONYMOUS_PAGE_KEY } from './metadata';
import { ConsoleSessions } from './session';

/**
 * Every console request: a form post must carry the session's CSRF token; a page needs a signed-in
 * principal and one of the route's @Roles, exactly as the API's RolesGuard decides (deny by default,
 * refusals counted and audited as `auth.forbidden`).
 */
@Injectable()
export class ConsoleGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: ConsoleSessions,
    private readonly security: SecurityEvents,
    private readonly metrics: BrokerMetrics,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request & { user?: Principal }>();
    const session = await this.sessions.open(req, http.getResponse<Response>());
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const body = req.body as Record<string, unknown> | undefined;
      if (!this.sessions.csrfMatches(session, body?._csrf))
        throw brokerError(
          'CONSOLE.CSRF_INVALID',
          'this form has expired or did not come from the console; go back, reload the page and try again',
        );
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(ANONYMOUS_PAGE_KEY, targets)) return true;
    const principal = this.sessions.principal(session, Date.now());
    if (!principal) throw brokerError('CONSOLE.SIGN_IN_REQUIRED', 'sign in to continue');
    req.user = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    if (!roles || roles.length === 0) {
      this.metrics.authzFailures.inc({ code: 'AUTH.NO_POLICY' });
      throw brokerError('AUTH.NO_POLICY', 'this page has no access policy');
    }
    if (!principal.roles.some((r) => roles.includes(r))) {
      this.metrics.authzFailures.inc({ code: 'AUTH.FORBIDDEN' });
      this.security.forbidden(
        principal,
        `${req.method} ${req.route?.path ?? 'unmatched'}`,
        roles,
        correlationIdOf(req),
      );
      throw brokerError('AUTH.FORBIDDEN', `this page needs one of the roles: ${roles.join(', ')}`);
    }
    return true;
  }
}
