import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { AuditModule } from '../audit/audit.module';
import { MetricsModule } from '../metrics/metrics.module';
import { JwtAuthGuard, RolesGuard } from './auth.guard';
import { AuthFailureRepository } from './auth-failure.repository';
import { JwtStrategy } from './jwt.strategy';
import { UserRateLimitGuard } from './rate-limit.guard';
import { SecurityEvents } from './security-events';
import { TokenVerifier } from './token-verifier';

/**
 * The global guards live here, beside what they inject; APP_GUARD makes them apply to every
 * route whichever module declares them.
 */
@Module({
  imports: [PassportModule, AuditModule, MetricsModule],
  providers: [
    // Order matters: authenticate, then check the route's roles (deny by default).
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
    // Then count the request against its user (the principal is known by now).
    { provide: APP_GUARD, useClass: UserRateLimitGuard },
    TokenVerifier,
    AuthFailureRepository,
    JwtStrategy,
    SecurityEvents,
  ],
  exports: [TokenVerifier, SecurityEvents],
})
export class AuthModule {}
