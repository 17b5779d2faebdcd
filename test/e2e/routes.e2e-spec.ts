/**
 * Deny by default, proven on the running broker: every HTTP route it registers declares who may
 * call it (@Roles) or is one of the few public ones (health, metrics, docs, published keys and
 * the agreement JSON Schema); and the guards really enforce that on every route.
 */
import { randomUUID } from 'node:crypto';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import request from 'supertest';
import { PUBLIC_KEY, ROLES_KEY } from '../../apps/broker/src/auth/decorators';
import { ROLES, type Role } from '../../apps/broker/src/auth/principal';
import { ANONYMOUS_PAGE_KEY, CONSOLE_PAGE_KEY } from '../../apps/broker/src/console/decorators';
import { Federation, baseEnv, status, testDatabaseUrl } from '../support/federation';

interface Route {
  key: string;
  method: string;
  path: string;
  roles: Role[] | undefined;
  isPublic: boolean;
  /** A console page: authenticated by the console session (ConsoleGuard), not a bearer token. */
  console: boolean;
  /** A console page anyone may see (sign-in). */
  anonymous: boolean;
  owner: string;
}

const EXPECTED_PUBLIC = [
  'GET /health',
  'GET /metrics',
  'GET /.well-known/jwks.json',
  'GET /.well-known/dev-jwks.json',
  // Public documentation: the schemas agreement and threshold matrix files are written against.
  'GET /api/v1/agreements/schema',
  'GET /api/v1/thresholds/schema',
];
/** Served by SwaggerModule straight on Express, outside Nest's guards: public documentation. */
const DOCS = /^GET \/api\/docs(-json|-yaml|\/.*)?$/;

function joinPath(...parts: Array<string | string[] | undefined>): string {
  const segments = parts
    .flatMap((p) => (Array.isArray(p) ? p : [p]))
    .filter((p): p is string => typeof p === 'string' && p.length > 0 && p !== '/');
  return `/${segments.map((s) => s.replace(/^\/+|\/+$/g, '')).join('/')}`;
}

/** Every HTTP handler Nest knows, with the policy the guards will read. */
function nestRoutes(federation: Federation): Route[] {
  const modules = federation.broker.get(ModulesContainer);
  const reflector = new Reflector();
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (abstract new (...args: never[]) => unknown) | null;
      if (!controller || typeof controller !== 'function') continue;
      const base = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      for (const name of scanner.getAllMethodNames(controller.prototype as object)) {
        const handler = (controller.prototype as Record<string, unknown>)[name] as (
          ...args: unknown[]
        ) => unknown;
        const path = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        if (path === undefined || method === undefined) continue; // not an HTTP route (e.g. a Kafka handler)
        const targets = [handler, controller];
        for (const p of Array.isArray(path) ? path : [path]) {
          const full = joinPath(base, p);
          const verb = RequestMethod[method];
          routes.push({
            key: `${verb} ${full}`,
            method: verb,
            path: full,
            roles: reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets),
            isPublic:
              reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true,
            console:
              reflector.getAllAndOverride<boolean | undefined>(CONSOLE_PAGE_KEY, targets) === true,
            anonymous:
              reflector.getAllAndOverride<boolean | undefined>(ANONYMOUS_PAGE_KEY, targets) ===
              true,
            owner: `${controller.name}.${name}`,
          });
        }
      }
    }
  }
  return routes;
}

function expressRoutes(federation: Federation): string[] {
  const express = federation.broker.getHttpAdapter().getInstance() as {
    router?: { stack: unknown[] };
    _router?: { stack: unknown[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const routes: string[] = [];
  for (const layer of stack as Array<{
    route?: { path: string; methods: Record<string, boolean> };
  }>) {
    // Nest mounts route-scoped middleware (the request logger, `forRoutes('*')`) as a
    // `/{*path}` layer per method: middleware that calls next(), not a handler.
    if (!layer.route || layer.route.path === '/{*path}') continue;
    for (const method of Object.keys(layer.route.methods))
      if (method !== '_all') routes.push(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return routes;
}

/** A concrete URL for a route pattern: ids become random UUIDs, versions 1. */
function concrete(path: string): string {
  return path.replace(/:version\b/g, '1').replace(/:[A-Za-z]+/g, () => randomUUID());
}

describe('Routes: every route has an explicit access policy', () => {
  let federation: Federation;
  let routes: Route[];

  beforeAll(async () => {
    federation = new Federation(
      baseEnv({
        PORT: '3914',
        DATABASE_URL: testDatabaseUrl('broker_routes'),
        AUTH_FAILURE_LIMIT: '100000',
      }),
    );
    await federation.startBroker();
    routes = nestRoutes(federation);
  }, 120_000);

  afterAll(async () => {
    await federation?.stop();
  });

  it('finds every route Express serves (the walk misses nothing)', () => {
    expect(routes.length).toBeGreaterThan(10);
    const walked = new Set(routes.map((r) => r.key));
    const served = expressRoutes(federation);
    expect(served.filter((r) => !walked.has(r) && !DOCS.test(r))).toEqual([]);
    expect([...walked].filter((r) => !served.includes(r))).toEqual([]);
    expect(served.some((r) => DOCS.test(r))).toBe(true);
  });

  it('fails for any route with neither @Roles nor @Public', () => {
    const withoutPolicy = routes
      .filter((r) => !r.isPublic && (!r.roles || r.roles.length === 0))
      .map((r) => `${r.key} (${r.owner})`);
    expect(withoutPolicy).toEqual([]);
  });

  it('names only known roles, and never marks a route both public and role-restricted', () => {
    for (const route of routes) {
      for (const role of route.roles ?? [])
        expect({
          route: route.key,
          role,
          known: (ROLES as readonly string[]).includes(role),
        }).toEqual({ route: route.key, role, known: true });
      expect({
        route: route.key,
        ambiguous: route.isPublic && !route.console && (route.roles?.length ?? 0) > 0,
      }).toEqual({ route: route.key, ambiguous: false });
    }
  });

  it('makes public only health, metrics, docs, published keys and the agreement schema', () => {
    expect(
      routes
        .filter((r) => r.isPublic && !r.console)
        .map((r) => r.key)
        .sort(),
    ).toEqual([...EXPECTED_PUBLIC].sort());
  });

  it('gives every console page but sign-in a role policy, and sends a visitor without a session to sign in', async () => {
    const pages = routes.filter((r) => r.console);
    expect(pages.length).toBeGreaterThan(10);
    expect(
      pages.filter((r) => !r.anonymous && (r.roles?.length ?? 0) === 0).map((r) => r.key),
    ).toEqual([]);
    for (const route of pages.filter((r) => !r.anonymous)) {
      const res = await request(federation.http())[route.method.toLowerCase() as 'get'](
        concrete(route.path),
      );
      // A form post without the session's CSRF token is refused before anything else.
      expect({ route: route.key, status: res.status, to: res.headers.location }).toEqual(
        route.method === 'GET'
          ? { route: route.key, status: 303, to: '/sign-in' }
          : { route: route.key, status: 403, to: undefined },
      );
    }
  });

  it('answers every non-public route without a token with 401, and serves the public ones', async () => {
    for (const route of routes.filter((r) => !r.console)) {
      const res = await request(federation.http())[route.method.toLowerCase() as 'get'](
        concrete(route.path),
      );
      if (route.isPublic) {
        expect({
          route: route.key,
          status: res.status === 401 || res.status === 403 ? res.status : 'not refused',
        }).toEqual({ route: route.key, status: 'not refused' });
      } else {
        expect({ route: route.key, status: res.status, code: res.body.code }).toEqual({
          route: route.key,
          status: 401,
          code: 'AUTH.TOKEN_MISSING',
        });
      }
    }
    await request(federation.http()).get('/api/docs-json').expect(status(200));
  });

  it('refuses a valid token whose roles the route does not name, before any work is done', async () => {
    for (const route of routes.filter((r) => !r.isPublic && !r.console && r.roles)) {
      // One token per role the route does not name: a representative's token carries its agency
      // and no other role (anything else is refused earlier, as AUTH.NO_AGENCY or ROLE_CONFLICT).
      for (const outsider of ROLES.filter((r) => !route.roles!.includes(r))) {
        const token =
          outsider === 'agency-representative'
            ? await federation.token(outsider, 'demo', 'route-walker', 'police')
            : await federation.token([outsider], 'demo', 'route-walker');
        const agent = request(federation.http());
        const res = await agent[route.method.toLowerCase() as 'get'](concrete(route.path)).set(
          'Authorization',
          `Bearer ${token}`,
        );
        expect({
          route: route.key,
          role: outsider,
          status: res.status,
          code: res.body.code,
        }).toEqual({
          route: route.key,
          role: outsider,
          status: 403,
          code: 'AUTH.FORBIDDEN',
        });
      }
    }
  });
});
