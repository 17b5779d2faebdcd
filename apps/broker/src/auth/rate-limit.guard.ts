import { Injectable, type ExecutionContext } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerLimitDetail } from '@nestjs/throttler';
import type { Principal } from './principal';
import { brokerError } from '../common/errors';

/**
 * Per-user rate limit, after authentication: a signed-in user is counted by partnership and
 * subject (many analysts share one office address), anyone else by address. Anonymous failures
 * have their own limiter in the auth guard.
 */
@Injectable()
export class UserRateLimitGuard extends ThrottlerGuard {
  /** Kafka handlers pass through the same global guards; they are not rate limited here. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    return context.getType() !== 'http';
  }

  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as Principal | undefined;
    if (user?.sub) return `user:${user.partnership}:${user.sub}`;
    return `ip:${String(req.ip ?? 'unknown')}`;
  }

  protected override async throwThrottlingException(
    _context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw brokerError(
      'REQUEST.RATE_LIMITED',
      `too many requests: at most ${detail.limit} in ${Math.round(detail.ttl / 1000)} s; try again shortly`,
    );
  }
}
