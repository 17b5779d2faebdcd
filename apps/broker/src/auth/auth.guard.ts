import { ExecutionContext, Inject, Injectable, Logger, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { decodeJwt } from 'jose';
import { DomainError } from '@mash/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { correlationIdOf } from '../common/correlation';
import { BrokerMetrics } from '../metrics/broker-metrics';
import { SecurityEvents } from './security-events';
import { PUBLIC_KEY, ROLES_KEY } from './decorators';
import { AuthFailureRepository } from './auth-failure.repository';
import { FailureLimiter } from './failure-limiter';
import type { Principal, Role } from './principal';
import { brokerError } from '../common/errors';

function clientOf(req: Request): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'unknown';
}

const PARTNERSHIP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The partnership a refused token claims, read WITHOUT verifying it, only to file the failure
 * where that partnership's auditor can find it (`details.partnershipClaimed`). Undefined when
 * there is no readable claim: such failures go on the `system` chain.
 */
function claimedPartnership(req: Request, claim: string): string | undefined {
  const token = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(req.header('authorization') ?? '')?.[1];
  if (!token) return undefined;
  try {
    const value = decodeJwt(token)[claim];
    return typeof value === 'string' && PARTNERSHIP_ID.test(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** How many failures without any token the whole broker writes to the audit log per window. */
const ANONYMOUS_AUDIT_FACTOR = 10;

/** Authenticates every route except those marked @Public. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') implements CanActivate {
  private readonly logger = new Logger('Auth');
  private readonly limiter: FailureLimiter;
  /** Bounds audit entries for requests with no token at all, across every client address. */
  private readonly anonymous: FailureLimiter;
  private readonly partnershipClaim: string;

  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: BrokerMetrics,
    private readonly security: SecurityEvents,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
    failures: AuthFailureRepository,
  ) {
    super();
    this.limiter = new FailureLimiter(
      failures,
      config.auth.failureLimit,
      config.auth.failureWindowSeconds,
    );
    this.anonymous = new FailureLimiter(
      failures,
      config.auth.failureLimit * ANONYMOUS_AUDIT_FACTOR,
      config.auth.failureWindowSeconds,
    );
    this.partnershipClaim = config.auth.partnershipClaim;
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    // Kafka handlers carry no bearer token: messages are authenticated by their signatures.
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    try {
      return (await super.canActivate(context)) as boolean;
    } catch (error) {
      throw await this.refused(error, context.switchToHttp().getRequest<Request>());
    }
  }

  /** Passport's verdict: the principal, or the reason as a domain error (`refused` handles it). */
  override handleRequest<T = Principal>(
    err: unknown,
    user: unknown,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (!err && user) return user as T;
    throw this.toError(err ?? info, context.switchToHttp().getRequest<Request>());
  }

  /**
   * Counts and records a refused request, and says what the client gets: the failure, or 429
   * once the client is past the limit (counted in PostgreSQL, across every broker instance).
   */
  async refused(reason: unknown, req: Request): Promise<DomainError> {
    const failure = this.toError(reason, req);
    this.metrics.authFailures.inc({ code: failure.code });
    // Never the token itself: only the code, route and client.
    this.logger.warn(
      `authentication failed: ${failure.code} ${req.method} ${req.route?.path ?? req.path}`,
    );
    const client = clientOf(req);
    const route = `${req.method} ${req.route?.path ?? 'unmatched'}`;
    const event = {
      code: failure.code,
      client,
      route,
      partnership: claimedPartnership(req, this.partnershipClaim),
      correlationId: correlationIdOf(req),
    };
    // An identity provider outage is not the client's fault: it does not count towards the limit.
    if (failure.status >= 500) {
      this.security.authFailed(event);
      return failure;
    }
    // The limit is checked before anything is written: past it, a client's failures are only
    // counted (metrics) and the moment it crossed the limit is recorded once, so a client cannot
    // grow the append-only log by hammering the API.
    const standing = await this.limiter.failure(client);
    if (standing !== 'under') {
      if (standing === 'first-over') this.security.throttled(event);
      return brokerError('AUTH.TOO_MANY_FAILURES', 'too many failed authentications; slow down');
    }
    // Requests with no token at all are mostly noise (and cheap to send from many addresses):
    // only so many a window are written, whoever sends them.
    if (failure.code !== 'AUTH.TOKEN_MISSING' || !(await this.anonymous.fail('no-token')))
      this.security.authFailed(event);
    return failure;
  }

  private toError(reason: unknown, req: Request): DomainError {
    if (reason instanceof DomainError) return reason;
    const header = req.header('authorization');
    if (!header) return brokerError('AUTH.TOKEN_MISSING', 'a bearer token is required');
    if (!/^Bearer [A-Za-z0-9_\-.]+$/.test(header)) {
      return brokerError('AUTH.HEADER_MALFORMED', 'Authorization header must be "Bearer <token>"');
    }
    return brokerError('AUTH.TOKEN_INVALID', 'token is not valid');
  }
}

/** Deny by default: a route must name its roles (or be @Public) to be reachable at all. */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: BrokerMetrics,
    private readonly security: SecurityEvents,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const req = context.switchToHttp().getRequest<Request & { user?: Principal }>();
    if (!roles || roles.length === 0) {
      this.metrics.authzFailures.inc({ code: 'AUTH.NO_POLICY' });
      throw brokerError('AUTH.NO_POLICY', 'this route has no access policy');
    }
    const user = req.user;
    if (!user || !user.roles.some((r) => roles.includes(r))) {
      this.metrics.authzFailures.inc({ code: 'AUTH.FORBIDDEN' });
      if (user)
        this.security.forbidden(
          user,
          `${req.method} ${req.route?.path ?? 'unmatched'}`,
          roles,
          correlationIdOf(req),
        );
      throw brokerError(
        'AUTH.FORBIDDEN',
        `this action needs one of the roles: ${roles.join(', ')}`,
      );
    }
    return true;
  }
}
