import { Injectable } from '@nestjs/common';
import { AuditService } from '../audit/audit.service';
import type { Principal, Role } from './principal';

/** Failed authentication and authorisation, into the audit log. Never token contents. */
@Injectable()
export class SecurityEvents {
  constructor(private readonly audit: AuditService) {}

  authFailed(code: string, client: string, route: string): void {
    this.audit.recordQuietly({
      actorType: 'user',
      actorId: 'anonymous',
      action: 'auth.failed',
      outcome: 'failure',
      details: { code, client, route },
    });
  }

  forbidden(user: Principal, route: string, needed: Role[]): void {
    this.audit.recordQuietly({
      partnership: user.partnership,
      actorType: 'user',
      actorId: user.sub,
      actorRole: user.roles.join(','),
      action: 'auth.forbidden',
      outcome: 'deny',
      details: { route, needed },
    });
  }
}
