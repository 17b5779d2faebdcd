import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { DomainError } from '@mash/common';
import { BrokerMetrics } from '../ops/broker-metrics';
import { RolesGuard } from './auth.guard';
import { Public, Roles } from './decorators';
import { FailureLimiter } from './failure-limiter';
import type { Principal } from './principal';
import type { SecurityEvents } from './security-events';

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
