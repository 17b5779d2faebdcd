/**
 * The console's production sign-in against a real OpenID Connect provider (panva's certified
 * `oidc-provider`, in its own process, set up like the Keycloak of docs/identity.md): the
 * authorization code flow with PKCE, state and nonce, the callback, the sealed session cookie and
 * signing out, driven over HTTP as a browser would. The broker runs with AUTH_MODE=production and
 * the same OIDC_* and AUTH_* settings an operator would set.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Federation, ROOT, baseEnv } from '../support/federation';

const PROVIDER_PORT = 3987;
const ISSUER = `http://127.0.0.1:${PROVIDER_PORT}`;
const BROKER = 'http://127.0.0.1:3900';
const CONSOLE_URL = 'https://console.mash.test';
const AUDIENCE = 'api://mash-broker';
const CLIENT_ID = 'mash-console';
const ACCOUNTS = {
  'ann.analyst': { roles: ['analyst', 'offline_access'], partnership: 'demo' },
  'pat.police': { roles: ['agency-representative'], partnership: 'demo', agency: 'police' },
  'nobody.special': { roles: ['default-roles-mash'], partnership: 'demo' },
};

/** A browser's cookies, per origin: enough for one sign-in round trip. */
class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const { origin } = new URL(url);
    const cookies = this.jar.get(origin) ?? new Map<string, string>();
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
      },
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const name = pair.slice(0, pair.indexOf('='));
      const value = pair.slice(pair.indexOf('=') + 1);
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a),
      );
      if (expired || value === '') cookies.delete(name);
      else cookies.set(name, value);
    }
    this.jar.set(origin, cookies);
    return res;
  }

  cookie(origin: string, name: string): string | undefined {
    return this.jar.get(origin)?.get(name);
  }

  /** POSTs a console form with the session's CSRF token, read from the page as a browser would. */
  async submit(page: string, action: string, fields: Record<string, string> = {}) {
    const html = await (await this.get(`${BROKER}${page}`)).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    return this.get(`${BROKER}${action}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
    });
  }
}

function location(res: Response): string {
  expect(res.status).toBeGreaterThanOrEqual(301);
  expect(res.status).toBeLessThan(400);
  return res.headers.get('location') ?? '';
}

/** The console sends the browser to the provider; the person signs in there as `user`. */
async function throughProvider(browser: Browser, user: string) {
  const authorize = new URL(
    location(await browser.submit('/sign-in', '/sign-in/identity-provider')),
  );
  const interaction = location(await browser.get(authorize.href));
  const resume = location(
    await browser.get(`${new URL(interaction, ISSUER).href}?user=${encodeURIComponent(user)}`),
  );
  const callback = new URL(location(await browser.get(new URL(resume, ISSUER).href)));
  return { authorize, callback };
}

function errorCode(html: string): string | undefined {
  return /Error code\s*<\/dt>\s*<dd[^>]*>\s*([A-Z_.]+)/.exec(html)?.[1];
}

describe('Console sign-in through a real OpenID Connect provider', () => {
  const federation = new Federation(
    baseEnv({
      AUTH_MODE: 'production',
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: `${ISSUER}/jwks`,
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      OIDC_ISSUER_URL: ISSUER,
      OIDC_CLIENT_ID: CLIENT_ID,
      CONSOLE_URL,
      CONSOLE_SESSION_SECRET: 'a-console-session-secret-of-at-least-32-chars',
    }),
  );
  let provider: ChildProcess;
  const COOKIE = '__Host-mash_console';

  beforeAll(async () => {
    provider = spawn(process.execPath, [resolve(ROOT, 'test/support/oidc-provider.mjs')], {
      env: {
        ...process.env,
        OIDC_PORT: String(PROVIDER_PORT),
        OIDC_AUDIENCE: AUDIENCE,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_REDIRECT_URI: `${CONSOLE_URL}/auth/callback`,
        OIDC_POST_LOGOUT_URI: `${CONSOLE_URL}/sign-in`,
        OIDC_ACCOUNTS: JSON.stringify(ACCOUNTS),
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    await new Promise<void>((ready, failed) => {
      provider.once('exit', (code) => failed(new Error(`the provider exited (${code})`)));
      createInterface({ input: provider.stdout! }).on('line', (line) => {
        if (line.startsWith('ready ')) ready();
      });
    });
    // Waits its turn for the federation's test databases (another e2e file may hold them).
    await federation.startBroker();
  }, 180_000);

  afterAll(async () => {
    await federation.stop();
    provider?.kill('SIGTERM');
  });

  it('signs an analyst in with PKCE, state and nonce, keeps only the principal, and signs out', async () => {
    const browser = new Browser();
    const { authorize, callback } = await throughProvider(browser, 'ann.analyst');
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${ISSUER}/auth`);
    const asked = Object.fromEntries(authorize.searchParams);
    expect(asked).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      redirect_uri: `${CONSOLE_URL}/auth/callback`,
      code_challenge_method: 'S256',
    });
    expect(asked.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(asked.state).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(asked.nonce).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(asked.scope.split(' ')).toContain('openid');
    expect(`${callback.origin}${callback.pathname}`).toBe(`${CONSOLE_URL}/auth/callback`);
    expect(callback.searchParams.get('state')).toBe(asked.state);

    const signedIn = await browser.get(`${BROKER}${callback.pathname}${callback.search}`);
    expect(location(signedIn)).toBe('/cases');
    const sealed = browser.cookie(BROKER, COOKIE);
    expect(sealed).toBeDefined();
    const setCookie = signedIn.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/Secure/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    // Sealed: neither the access token nor the claims can be read from the cookie.
    expect(decodeURIComponent(sealed!)).not.toMatch(/eyJ|ann\.analyst|analyst|demo/);

    // The roles at realm_access.roles (unknown ones ignored) and the partnership became the principal.
    const page = await browser.get(`${BROKER}/cases`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toMatch(/<h1[^>]*>\s*Today(&#39;|')s work/);
    expect(html).toMatch(
      /Signed in as <strong>ann\.analyst<\/strong> \(analyst\), partnership <strong>demo<\/strong>/,
    );

    // Signing out clears the session and sends the browser on to end the provider's session.
    const out = await browser.submit('/cases', '/sign-out');
    const endSession = new URL(location(out));
    expect(`${endSession.origin}${endSession.pathname}`).toBe(`${ISSUER}/session/end`);
    expect(endSession.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${CONSOLE_URL}/sign-in`);
    expect(browser.cookie(BROKER, COOKIE)).toBeUndefined();
    expect(location(await browser.get(`${BROKER}/cases`))).toBe('/sign-in');
  }, 20_000);

  it("maps a representative's agency claim, and keeps them to their agency's pages", async () => {
    const browser = new Browser();
    const { callback } = await throughProvider(browser, 'pat.police');
    const signedIn = await browser.get(`${BROKER}${callback.pathname}${callback.search}`);
    expect(location(signedIn)).toBe('/agency/cases');
    const html = await (await browser.get(`${BROKER}/agency/cases`)).text();
    expect(html).toMatch(
      /Signed in as <strong>pat\.police<\/strong> \(agency-representative\), partnership <strong>demo<\/strong>, Police/,
    );
    const analystPage = await browser.get(`${BROKER}/cases`);
    expect(analystPage.status).toBe(403);
  }, 20_000);

  it('refuses a token with no role the broker knows', async () => {
    const browser = new Browser();
    const { callback } = await throughProvider(browser, 'nobody.special');
    const refused = await browser.get(`${BROKER}${callback.pathname}${callback.search}`);
    expect(refused.status).toBe(403);
    expect(errorCode(await refused.text())).toBe('AUTH.NO_ROLES');
    expect(location(await browser.get(`${BROKER}/cases`))).toBe('/sign-in');
  }, 20_000);

  it('refuses a tampered state, and does not let the same sign-in be tried again', async () => {
    const browser = new Browser();
    const { callback } = await throughProvider(browser, 'ann.analyst');
    const tampered = new URL(callback);
    tampered.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const refused = await browser.get(`${BROKER}${tampered.pathname}${tampered.search}`);
    expect(refused.status).toBe(401);
    expect(errorCode(await refused.text())).toBe('CONSOLE.SIGN_IN_FAILED');
    // The genuine callback after a failed one: the verifier is spent, so it is refused too.
    const again = await browser.get(`${BROKER}${callback.pathname}${callback.search}`);
    expect(again.status).toBe(401);
    expect(errorCode(await again.text())).toBe('CONSOLE.SIGN_IN_FAILED');
    expect(location(await browser.get(`${BROKER}/cases`))).toBe('/sign-in');
  }, 20_000);

  it("refuses a code brought to a browser without its PKCE verifier, or with another sign-in's", async () => {
    const victim = new Browser();
    const { callback } = await throughProvider(new Browser(), 'ann.analyst');
    // No sign-in was started in this browser: no verifier, no state to compare.
    const noVerifier = await victim.get(`${BROKER}${callback.pathname}${callback.search}`);
    expect(noVerifier.status).toBe(401);
    expect(errorCode(await noVerifier.text())).toBe('CONSOLE.SIGN_IN_FAILED');

    // An injected code with this browser's own state: its verifier does not fit the code.
    const attacker = await throughProvider(new Browser(), 'ann.analyst');
    const own = new URL(
      location(await victim.submit('/sign-in', '/sign-in/identity-provider')),
    ).searchParams.get('state')!;
    const injected = new URL(attacker.callback);
    injected.searchParams.set('state', own);
    const refused = await victim.get(`${BROKER}${injected.pathname}${injected.search}`);
    expect(refused.status).toBe(401);
    expect(errorCode(await refused.text())).toBe('CONSOLE.SIGN_IN_FAILED');
    expect(location(await victim.get(`${BROKER}/cases`))).toBe('/sign-in');
  }, 20_000);
});
