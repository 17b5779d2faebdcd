import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { DomainError } from '@mash/common';
import { BrokerMetrics } from '../metrics/broker-metrics';
import type { BrokerConfig } from '../config/config';
import { JwtAuthGuard, RolesGuard } from './auth.guard';
import { Public, Roles } from './decorators';
import type { Request } from 'express';
import type { AuthFailureRepository } from './auth-failure.repository';
import { FailureLimiter, standing, type FailureCounts } from './failure-limiter';
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

/** Failure counts as the database keeps them, for one window (the window itself is SQL's). */
class CountsInMemory implements FailureCounts {
  readonly byClient = new Map<string, number>();
  async add(clientHash: string): Promise<number> {
    const n = (this.byClient.get(clientHash) ?? 0) + 1;
    this.byClient.set(clientHash, n);
    return n;
  }
}

describe(FailureLimiter.name, () => {
  it('allows `limit` failures per client in the window, then reports the client as over it', async () => {
    const sut = new FailureLimiter(new CountsInMemory(), 3, 60);
    const first = [];
    for (let i = 0; i < 3; i += 1) first.push(await sut.fail('10.0.0.1'));
    expect(first).toEqual([false, false, false]);
    expect(await sut.failure('10.0.0.1')).toBe('first-over');
    expect(await sut.failure('10.0.0.1')).toBe('over');
    expect(await sut.fail('10.0.0.2')).toBe(false);
  });

  it('stores no client address, only its hash', async () => {
    const counts = new CountsInMemory();
    await new FailureLimiter(counts, 3, 60).fail('10.0.0.1');
    expect([...counts.byClient.keys()][0]).toMatch(/^[0-9a-f]{64}$/);
  });

  it('says first-over once, on the failure that crosses the limit', () => {
    expect([1, 2, 3, 4].map((n) => standing(n, 2))).toEqual([
      'under',
      'under',
      'first-over',
      'over',
    ]);
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
    sut = new JwtAuthGuard(
      new Reflector(),
      new BrokerMetrics(),
      security,
      config,
      new CountsInMemory() as unknown as AuthFailureRepository,
    );
  });

  async function refuse(ip: string, authorization?: string): Promise<string> {
    const req = {
      method: 'GET',
      path: '/api/v1/cases',
      route: { path: '/api/v1/cases' },
      ip,
      correlationId: 'corr-0001',
      header: (name: string) => (name === 'authorization' ? authorization : undefined),
    };
    const error = await sut.refused(undefined, req as unknown as Request);
    return `${error.status} ${error.code}`;
  }

  it('checks the failure limit before writing: a client hammering without a token writes a bounded number of entries', async () => {
    const codes: string[] = [];
    for (let i = 0; i < 50; i += 1) codes.push(await refuse('10.0.0.9'));
    expect(codes.slice(0, LIMIT)).toEqual(Array(LIMIT).fill('401 AUTH.TOKEN_MISSING'));
    expect(new Set(codes.slice(LIMIT))).toEqual(new Set(['429 AUTH.TOO_MANY_FAILURES']));
    expect(written.map((w) => w.action)).toEqual([
      ...Array(LIMIT).fill('auth.failed'),
      'auth.throttled',
    ]);
  });

  it('writes only so many no-token failures a window, however many addresses send them', async () => {
    for (let i = 0; i < 200; i += 1) await refuse(`10.1.${Math.floor(i / 250)}.${i % 250}`);
    expect(written.length).toBe(LIMIT * 10);
  });

  it('files a refused token under the partnership it claims, marked as claimed, with the correlation id', async () => {
    const claims = Buffer.from(JSON.stringify({ partnership: 'demo', sub: 'x' })).toString(
      'base64url',
    );
    expect(await refuse('10.0.0.7', `Bearer eyJhbGciOiJub25lIn0.${claims}.`)).toBe(
      '401 AUTH.TOKEN_INVALID',
    );
    expect(await refuse('10.0.0.7')).toBe('401 AUTH.TOKEN_MISSING');
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
