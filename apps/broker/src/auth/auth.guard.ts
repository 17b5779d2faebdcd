import { ExecutionContext, Inject, Injectable, Logger, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import type { Request } from 'express';
import { DomainError } from '@mash/common';
import { BROKER_CONFIG, type BrokerConfig } from '../config/config';
import { BrokerMetrics } from '../ops/broker-metrics';
import { SecurityEvents } from './security-events';
import { PUBLIC_KEY, ROLES_KEY } from './decorators';
import { FailureLimiter } from './failure-limiter';
import type { Principal, Role } from './principal';

function clientOf(req: Request): string {
  return req.ip ?? req.socket.remoteAddress ?? 'unknown';
}

/** Authenticates every route except those marked @Public. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') implements CanActivate {
  private readonly logger = new Logger('Auth');
  private readonly limiter: FailureLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly metrics: BrokerMetrics,
    private readonly security: SecurityEvents,
    @Inject(BROKER_CONFIG) config: BrokerConfig,
  ) {
    super();
    this.limiter = new FailureLimiter(
      config.auth.failureLimit,
      config.auth.failureWindowSeconds * 1000,
    );
  }

  override canActivate(context: ExecutionContext): ReturnType<CanActivate['canActivate']> {
    // Kafka handlers carry no bearer token: messages are authenticated by their signatures.
    if (context.getType() !== 'http') return true;
    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (isPublic) return true;
    return super.canActivate(context);
  }

  override handleRequest<T = Principal>(
    err: unknown,
    user: unknown,
    info: unknown,
    context: ExecutionContext,
  ): T {
    if (!err && user) return user as T;
    const req = context.switchToHttp().getRequest<Request>();
    const failure = this.toError(err ?? info, req);
    this.metrics.authFailures.inc({ code: failure.code });
    // Never the token itself: only the code, route and client.
    this.logger.warn(
      `authentication failed: ${failure.code} ${req.method} ${req.route?.path ?? req.path}`,
    );
    this.security.authFailed(
      failure.code,
      clientOf(req),
      `${req.method} ${req.route?.path ?? 'unmatched'}`,
    );
    // An identity provider outage is not the client's fault: it does not count towards the limit.
    if (failure.status < 500 && this.limiter.fail(clientOf(req))) {
      throw new DomainError(
        'AUTH.TOO_MANY_FAILURES',
        'too many failed authentications; slow down',
        429,
      );
    }
    throw failure;
  }

  private toError(reason: unknown, req: Request): DomainError {
    if (reason instanceof DomainError) return reason;
    const header = req.header('authorization');
    if (!header) return new DomainError('AUTH.TOKEN_MISSING', 'a bearer token is required', 401);
    if (!/^Bearer [A-Za-z0-9_\-.]+$/.test(header)) {
      return new DomainError(
        'AUTH.HEADER_MALFORMED',
        'Authorization header must be "Bearer <token>"',
        401,
      );
    }
    return new DomainError('AUTH.TOKEN_INVALID', 'token is not valid', 401);
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
      throw new DomainError('AUTH.NO_POLICY', 'this route has no access policy', 403);
    }
    const user = req.user;
    if (!user || !user.roles.some((r) => roles.includes(r))) {
      this.metrics.authzFailures.inc({ code: 'AUTH.FORBIDDEN' });
      if (user)
        this.security.forbidden(user, `${req.method} ${req.route?.path ?? 'unmatched'}`, roles);
      throw new DomainError(
        'AUTH.FORBIDDEN',
        `this action needs one of the roles: ${roles.join(', ')}`,
        403,
      );
    }
    return true;
  }
}
