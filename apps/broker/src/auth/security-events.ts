import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Principal, Role } from './principal';

export interface AuthFailure {
  code: string;
  client: string;
  route: string;
  /** The partnership the refused token names, unverified. */
  partnership?: string;
  correlationId?: string;
}

/** Failed authentication and authorisation, into the audit log. Never token contents. */
@Injectable()
export class SecurityEvents {
  constructor(private readonly audit: AuditService) {}

  /**
   * A refused token. Filed on the partnership the token claims (unverified, so marked
   * `partnershipClaimed`) so that partnership's auditor sees it; without a claim, on `system`.
   */
  authFailed(e: AuthFailure): void {
    this.audit.recordQuietly(this.failureEvent('auth.failed', e));
  }

  /** A client went past the failure limit; its further failures in the window are not written. */
  throttled(e: AuthFailure): void {
    this.audit.recordQuietly(this.failureEvent('auth.throttled', e));
  }

  private failureEvent(action: string, e: AuthFailure) {
    return {
      partnership: e.partnership ?? null,
      actorType: 'user' as const,
      actorId: 'anonymous',
      action,
      outcome: 'failure' as const,
      correlationId: e.correlationId,
      details: {
        code: e.code,
        client: e.client,
        route: e.route,
        ...(e.partnership ? { partnershipClaimed: true } : {}),
      },
    };
  }

  forbidden(user: Principal, route: string, needed: Role[], correlationId?: string): void {
    this.audit.recordQuietly({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: user.roles.join(','),
      action: 'auth.forbidden',
      correlationId,
      outcome: 'deny',
      details: { route, needed },
    });
  }
}
