import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { DomainError } from '@mash/common';
import { BrokerMetrics } from '../metrics/broker-metrics';
import type { BrokerConfig } from '../config/config';
import { JwtAuthGuard, RolesGuard } from './auth.guard';
import { Public, Roles } from './decorators';
import { FailureLimiter } from './failure-limiter';
import type { Principal } from './principal';
import type { AuthFailure, SecurityEvents } from './security-events';

class Probe {
  @Roles('manager')
  managersOnly(): void {}

  @Public()
  open(): void {}

  forgotten(): void {}
}

function contextFor(handler: keyof Probe, user?: Principal): ExecutionContextHost {
  const req = { method: 'GET', route: { path: `/probe/${handler}` }, user };
  const host = new ExecutionContextHost(
    [req, {}, () => undefined],
    Probe,
    Probe.prototype[handler],
  );
  host.setType('http');
  return host;
}

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof DomainError ? `${error.status} ${error.code}` : String(error);
  }
}

describe(RolesGuard.name, () => {
  const forbidden: string[] = [];
  const security = {
    forbidden: (_u: Principal, route: string) => forbidden.push(route),
    authFailed: () => undefined,
  } as unknown as SecurityEvents;
  const sut = new RolesGuard(new Reflector(), new BrokerMetrics(), security);
  const manager: Principal = { sub: 'm1', roles: ['manager'], partnership: 'demo' };
  const analyst: Principal = { sub: 'a1', roles: ['analyst'], partnership: 'demo' };

  it('refuses a route that declares no policy, whoever calls it', () => {
    expect(codeOf(() => sut.canActivate(contextFor('forgotten', manager)))).toBe(
      '403 AUTH.NO_POLICY',
    );
  });

  it('lets a caller with a named role through and refuses others, recording the refusal', () => {
    expect(sut.canActivate(contextFor('managersOnly', manager))).toBe(true);
    expect(codeOf(() => sut.canActivate(contextFor('managersOnly', analyst)))).toBe(
      '403 AUTH.FORBIDDEN',
    );
    expect(forbidden).toContain('GET /probe/managersOnly');
  });

  it('lets anyone through a public route', () => {
    expect(sut.canActivate(contextFor('open'))).toBe(true);
  });
});

describe(FailureLimiter.name, () => {
  it('allows `limit` failures per client in the window, then reports the client as over it', () => {
    const sut = new FailureLimiter(3, 60_000);
    expect([1, 2, 3].map((t) => sut.fail('10.0.0.1', t))).toEqual([false, false, false]);
    expect(sut.fail('10.0.0.1', 4)).toBe(true);
    expect(sut.fail('10.0.0.2', 5)).toBe(false);
  });

  it('forgets failures older than the window', () => {
    const sut = new FailureLimiter(2, 1_000);
    sut.fail('c', 0);
    sut.fail('c', 10);
    expect(sut.fail('c', 20)).toBe(true);
    expect(sut.fail('c', 1_500)).toBe(false);
  });
});

describe(JwtAuthGuard.name, () => {
  const LIMIT = 3;
  const config = {
    auth: { failureLimit: LIMIT, failureWindowSeconds: 60, partnershipClaim: 'partnership' },
  } as unknown as BrokerConfig;
  let written: Array<{ action: string } & AuthFailure>;
  let sut: JwtAuthGuard;

  beforeEach(() => {
    written = [];
    const security = {
      authFailed: (e: AuthFailure) => written.push({ action: 'auth.failed', ...e }),
      throttled: (e: AuthFailure) => written.push({ action: 'auth.throttled', ...e }),
    } as unknown as SecurityEvents;
    sut = new JwtAuthGuard(new Reflector(), new BrokerMetrics(), security, config);
  });

  function refuse(ip: string, authorization?: string): string | undefined {
    const req = {
      method: 'GET',
      path: '/api/v1/cases',
      route: { path: '/api/v1/cases' },
      ip,
      correlationId: 'corr-0001',
      header: (name: string) => (name === 'authorization' ? authorization : undefined),
    };
    const host = new ExecutionContextHost([req, {}, () => undefined]);
    host.setType('http');
    return codeOf(() => sut.handleRequest(undefined, false, undefined, host));
  }

  it('checks the failure limit before writing: a client hammering without a token writes a bounded number of entries', () => {
    const codes = Array.from({ length: 50 }, () => refuse('10.0.0.9'));
    expect(codes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill('401 AUTH.TOKEN_MISSING'));
    expect(new Set(codes.slice(LIMIT))).toEqual(new Set(['429 AUTH.TOO_MANY_FAILURES']));
    expect(written.map((w) => w.action)).toEqual([
      ...Array(LIMIT).fill('auth.failed'),
      'auth.throttled',
    ]);
  });

  it('writes only so many no-token failures a window, however many addresses send them', () => {
    for (let i = 0; i < 200; i += 1) refuse(`10.1.${Math.floor(i / 250)}.${i % 250}`);
    expect(written.length).toBe(LIMIT * 10);
  });

  it('files a refused token under the partnership it claims, marked as claimed, with the correlation id', () => {
    const claims = Buffer.from(JSON.stringify({ partnership: 'demo', sub: 'x' })).toString(
      'base64url',
    );
    expect(refuse('10.0.0.7', `Bearer eyJhbGciOiJub25lIn0.${claims}.`)).toBe(
      '401 AUTH.TOKEN_INVALID',
    );
    expect(refuse('10.0.0.7')).toBe('401 AUTH.TOKEN_MISSING');
    expect(written).toEqual([
      expect.objectContaining({
        action: 'auth.failed',
        code: 'AUTH.TOKEN_INVALID',
        partnership: 'demo',
        correlationId: 'corr-0001',
      }),
      expect.objectContaining({ code: 'AUTH.TOKEN_MISSING', partnership: undefined }),
    ]);
  });
});
