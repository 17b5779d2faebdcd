/**
 * The front door under attack: forged, stale, misdirected and malformed tokens against the real
 * broker. Every attack answers 401/403 with a stable code, reaches no service (no case is
 * created), is counted in /metrics and written to the audit log without the token; a burst from
 * one client is throttled while good tokens still pass. Also: the user's identity travels in
 * the grant the broker puts on Kafka, and `npm run token` refuses in production mode.
 */
import { execFile } from 'node:child_process';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import request from 'supertest';
import { Client } from 'pg';
import {
  createLocalJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  type JSONWebKeySet,
} from 'jose';
import { Headers, Topics } from '@mash/contracts';
import { MAX_TOKEN_LENGTH } from '../../apps/broker/src/auth/token-verifier';
import { DEV_ISSUER } from '../../apps/broker/src/config/config';
import {
  Federation,
  ROOT,
  TEST_KEYS_DIR,
  baseEnv,
  dropDatabases,
  eventually,
  status,
  testDatabaseUrl,
} from '../support/federation';
import { TopicRecorder } from '../support/kafka';
import {
  devIssuerKey,
  goodClaims,
  hmacSigned,
  publicPem,
  sign,
  strangerKey,
  unsigned,
  withPayload,
  without,
  type SigningKey,
} from '../support/tokens';

const DB = 'broker_auth';
const REFERRAL = {
  subject: { givenName: 'Attack', familyName: 'Surface', dateOfBirth: '2014-05-06' },
  referrer: { agency: 'education' },
  concerns: ['neglect'],
};

interface Attack {
  name: string;
  /** The whole Authorization header value, or undefined to send none. */
  header: () => Promise<string | undefined>;
  status: 401 | 403;
  code: string;
}

/** A one-key JWKS standing in for an agency, so the broker can encrypt a request to it. */
async function fakeAgencyJwks(): Promise<{ server: Server; url: string }> {
  const pair = await generateKeyPair('ECDH-ES', { crv: 'X25519', extractable: true });
  const jwks: JSONWebKeySet = {
    keys: [
      {
        ...(await exportJWK(pair.publicKey)),
        kid: `enc-${randomUUID()}`,
        use: 'enc',
        alg: 'ECDH-ES',
      },
    ],
  };
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(jwks));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
  };
}

async function countRows(db: Client, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: string }>(sql, params);
  return Number(rows[0].n);
}

function metricValue(text: string, name: string, code: string): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith(`${name}{`) && l.includes(`code="${code}"`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('Authentication: attacks on the bearer token', () => {
  let federation: Federation;
  let db: Client;
  let dev: SigningKey;
  let agency: { server: Server; url: string };
  const sentTokens: string[] = [];

  beforeAll(async () => {
    await dropDatabases([DB]);
    agency = await fakeAgencyJwks();
    const env = baseEnv({
      PORT: '3911',
      DATABASE_URL: testDatabaseUrl(DB),
      // The limiter has its own suite below; here every attack must show its own code.
      AUTH_FAILURE_LIMIT: '100000',
      AUTH_MAX_TOKEN_AGE_SECONDS: String(12 * 3600),
    });
    // After baseEnv, which sets every agency's JWKS URL itself.
    env.POLICE_JWKS_URL = agency.url;
    federation = new Federation(env);
    await federation.startBroker();
    dev = await devIssuerKey(TEST_KEYS_DIR);
    db = new Client({ connectionString: testDatabaseUrl(DB) });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await federation?.stop();
    agency?.server.close();
  });

  const now = () => Math.floor(Date.now() / 1000);

  const attacks: Attack[] = [
    {
      name: 'alg none',
      header: async () => `Bearer ${unsigned(goodClaims(), dev.kid)}`,
      status: 401,
      code: 'AUTH.ALGORITHM_REFUSED',
    },
    {
      name: 'HS256 signed with the issuer public key (key confusion)',
      header: async () => `Bearer ${hmacSigned(goodClaims(), await publicPem(dev), dev.kid)}`,
      status: 401,
      code: 'AUTH.ALGORITHM_REFUSED',
    },
    {
      name: 'HS256 signed with the public JWK text (key confusion)',
      header: async () =>
        `Bearer ${hmacSigned(goodClaims(), JSON.stringify(dev.publicJwk), dev.kid)}`,
      status: 401,
      code: 'AUTH.ALGORITHM_REFUSED',
    },
    {
      name: 'expired',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ iat: now() - 7200, exp: now() - 3600 }))}`,
      status: 401,
      code: 'AUTH.TOKEN_EXPIRED',
    },
    {
      name: 'not yet valid (nbf)',
      header: async () => `Bearer ${await sign(dev, goodClaims({ nbf: now() + 3600 }))}`,
      status: 401,
      code: 'AUTH.TOKEN_NOT_YET_VALID',
    },
    {
      name: 'issued in the future (iat)',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ iat: now() + 3600, exp: now() + 7200 }))}`,
      status: 401,
      code: 'AUTH.TOKEN_NOT_YET_VALID',
    },
    {
      name: 'wrong audience',
      header: async () => `Bearer ${await sign(dev, goodClaims({ aud: 'some-other-api' }))}`,
      status: 401,
      code: 'AUTH.WRONG_AUDIENCE',
    },
    {
      name: 'missing audience',
      header: async () => `Bearer ${await sign(dev, without(goodClaims(), 'aud'))}`,
      status: 401,
      code: 'AUTH.CLAIM_MISSING',
    },
    {
      name: 'missing subject',
      header: async () => `Bearer ${await sign(dev, without(goodClaims(), 'sub'))}`,
      status: 401,
      code: 'AUTH.CLAIM_MISSING',
    },
    {
      name: 'missing expiry',
      header: async () => `Bearer ${await sign(dev, without(goodClaims(), 'exp'))}`,
      status: 401,
      code: 'AUTH.CLAIM_MISSING',
    },
    {
      name: 'foreign issuer',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ iss: 'https://idp.attacker.example' }))}`,
      status: 401,
      code: 'AUTH.WRONG_ISSUER',
    },
    {
      name: 'unknown kid (a stranger key)',
      header: async () => `Bearer ${await sign(await strangerKey(), goodClaims())}`,
      status: 401,
      code: 'AUTH.UNKNOWN_KEY',
    },
    {
      name: 'stranger RSA key without kid',
      header: async () =>
        `Bearer ${await sign(await strangerKey('RS256'), goodClaims(), { kid: undefined })}`,
      status: 401,
      code: 'AUTH.UNKNOWN_KEY',
    },
    {
      name: 'stranger key claiming the issuer kid',
      header: async () => `Bearer ${await sign(await strangerKey('EdDSA', dev.kid), goodClaims())}`,
      status: 401,
      code: 'AUTH.BAD_SIGNATURE',
    },
    ...(['jku', 'x5u'] as const).map((h): Attack => ({
      name: `${h} header injection`,
      header: async () =>
        `Bearer ${await sign(await strangerKey(), goodClaims(), { [h]: 'https://attacker.example/keys.json' })}`,
      status: 401,
      code: 'AUTH.HEADER_REFUSED',
    })),
    {
      name: 'jwk header injection (embedded attacker key)',
      header: async () => {
        const key = await strangerKey();
        return `Bearer ${await sign(key, goodClaims(), { jwk: { kty: key.publicJwk.kty, crv: key.publicJwk.crv, x: key.publicJwk.x } })}`;
      },
      status: 401,
      code: 'AUTH.HEADER_REFUSED',
    },
    {
      name: 'x5c header injection',
      header: async () =>
        `Bearer ${await sign(await strangerKey(), goodClaims(), { x5c: ['MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA'] })}`,
      status: 401,
      code: 'AUTH.HEADER_REFUSED',
    },
    {
      name: 'kid with a path',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims(), { kid: '../../../../etc/passwd' })}`,
      status: 401,
      code: 'AUTH.KID_INVALID',
    },
    {
      name: 'kid with SQL',
      header: async () => `Bearer ${await sign(dev, goodClaims(), { kid: "x' OR '1'='1'; --" })}`,
      status: 401,
      code: 'AUTH.KID_INVALID',
    },
    {
      name: 'tampered payload with the original signature',
      header: async () => {
        const genuine = await sign(dev, goodClaims({ roles: ['manager'], partnership: 'demo' }));
        return `Bearer ${withPayload(genuine, goodClaims({ roles: ['agreement-admin', 'analyst'], partnership: 'other' }))}`;
      },
      status: 401,
      code: 'AUTH.BAD_SIGNATURE',
    },
    {
      name: 'older than the maximum age',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ iat: now() - 13 * 3600, exp: now() + 3600 }))}`,
      status: 401,
      code: 'AUTH.TOKEN_TOO_OLD',
    },
    {
      name: 'an ID token (Keycloak typ ID)',
      header: async () => `Bearer ${await sign(dev, goodClaims({ typ: 'ID' }))}`,
      status: 401,
      code: 'AUTH.TOKEN_TYPE_REFUSED',
    },
    {
      name: 'no roles',
      header: async () => `Bearer ${await sign(dev, without(goodClaims(), 'roles'))}`,
      status: 403,
      code: 'AUTH.NO_ROLES',
    },
    {
      name: 'only roles this service does not know',
      header: async () => `Bearer ${await sign(dev, goodClaims({ roles: ['admin', 'root'] }))}`,
      status: 403,
      code: 'AUTH.NO_ROLES',
    },
    {
      name: 'roles as a string, not an array',
      header: async () => `Bearer ${await sign(dev, goodClaims({ roles: 'analyst' }))}`,
      status: 403,
      code: 'AUTH.NO_ROLES',
    },
    {
      name: 'roles only in an unexpected claim',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ roles: undefined, realm_access: { roles: ['analyst'] }, role: 'analyst', groups: ['analyst'] }))}`,
      status: 403,
      code: 'AUTH.NO_ROLES',
    },
    {
      name: 'no partnership',
      header: async () => `Bearer ${await sign(dev, without(goodClaims(), 'partnership'))}`,
      status: 403,
      code: 'AUTH.NO_PARTNERSHIP',
    },
    {
      name: 'a partnership with SQL characters',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ partnership: "demo' OR 'x'='x" }))}`,
      status: 403,
      code: 'AUTH.NO_PARTNERSHIP',
    },
    {
      name: 'no Authorization header',
      header: async () => undefined,
      status: 401,
      code: 'AUTH.TOKEN_MISSING',
    },
    {
      name: 'Basic instead of Bearer',
      header: async () => 'Basic YWRtaW46YWRtaW4=',
      status: 401,
      code: 'AUTH.HEADER_MALFORMED',
    },
    {
      name: 'Bearer without a token',
      header: async () => 'Bearer',
      status: 401,
      code: 'AUTH.HEADER_MALFORMED',
    },
    {
      name: 'a bare token without the scheme',
      header: async () => sign(dev, goodClaims()),
      status: 401,
      code: 'AUTH.HEADER_MALFORMED',
    },
    {
      name: 'a token that is not a JWT',
      header: async () => 'Bearer not-a-jwt',
      status: 401,
      code: 'AUTH.TOKEN_MALFORMED',
    },
    {
      name: 'a JWT with garbage segments',
      header: async () => 'Bearer eyJhbGciOiJFZERTQSJ9.!!!.???',
      status: 401,
      code: 'AUTH.TOKEN_MALFORMED',
    },
    {
      name: 'an oversized token (validly signed)',
      header: async () =>
        `Bearer ${await sign(dev, goodClaims({ padding: 'x'.repeat(MAX_TOKEN_LENGTH) }))}`,
      status: 401,
      code: 'AUTH.TOKEN_TOO_LARGE',
    },
  ];

  it('accepts a genuine development token (the control for every attack below)', async () => {
    const res = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${await sign(dev, goodClaims())}`)
      .send(REFERRAL)
      .expect(status(201));
    expect(res.body.id).toEqual(expect.any(String));
  });

  it.each(attacks.map((a) => [a.name, a] as const))(
    'refuses %s with a stable code and creates nothing',
    async (_name, attack) => {
      const before = await countRows(db, 'SELECT count(*) AS n FROM mash_case');
      const header = await attack.header();
      if (header) sentTokens.push(header);
      const req = request(federation.http()).post('/api/v1/referrals').send(REFERRAL);
      if (header !== undefined) req.set('Authorization', header);
      const res = await req.expect(status(attack.status));
      expect(res.body).toEqual({
        statusCode: attack.status,
        code: attack.code,
        message: expect.any(String),
        correlationId: expect.any(String),
      });
      // The refusal echoes nothing of what was sent.
      if (header)
        for (const part of header.replace(/^\S+ /, '').split('.'))
          if (part.length > 8) expect(res.text).not.toContain(part);
      expect(await countRows(db, 'SELECT count(*) AS n FROM mash_case')).toBe(before);
    },
  );

  it('refuses a valid token on a route its roles do not allow, and names the code', async () => {
    const res = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${await sign(dev, goodClaims({ roles: ['auditor'] }))}`)
      .send(REFERRAL)
      .expect(status(403));
    expect(res.body.code).toBe('AUTH.FORBIDDEN');
  });

  it('counts failed authentications in /metrics by code', async () => {
    const metric = async () =>
      metricValue(
        (await request(federation.http()).get('/metrics').expect(status(200))).text,
        'mash_auth_failures_total',
        'AUTH.WRONG_ISSUER',
      );
    const before = await metric();
    for (let i = 0; i < 3; i += 1) {
      await request(federation.http())
        .get('/api/v1/cases')
        .set(
          'Authorization',
          `Bearer ${await sign(dev, goodClaims({ iss: 'https://idp.attacker.example' }))}`,
        )
        .expect(status(401));
    }
    expect(await metric()).toBe(before + 3);
  });

  it('writes failed authentications to the audit log with code, client and route, never the token', async () => {
    const expected = new Set(attacks.map((a) => a.code));
    const rows = await eventually(async () => {
      const { rows: found } = await db.query<{
        actor_id: string;
        outcome: string;
        details: { code: string; client: string; route: string };
      }>("SELECT actor_id, outcome, details FROM audit_event WHERE action = 'auth.failed'");
      const codes = new Set(found.map((r) => r.details.code));
      return [...expected].every((c) => codes.has(c)) ? found : undefined;
    });
    for (const row of rows) {
      expect(row).toMatchObject({ actor_id: 'anonymous', outcome: 'failure' });
      expect(row.details.client).toMatch(/127\.0\.0\.1/);
      expect(row.details.route).toMatch(/^(POST|GET) \/api\/v1\//);
    }
    const { rows: all } = await db.query<{ line: string }>(
      'SELECT row_to_json(e)::text AS line FROM audit_event e',
    );
    const log = all.map((r) => r.line).join('\n');
    for (const header of sentTokens) {
      for (const part of header.replace(/^\S+ /, '').split('.'))
        if (part.length > 8) expect(log).not.toContain(part);
    }
  });

  it('puts the requesting user, as well as the broker, into the grant it sends to an agency', async () => {
    const analyst = await federation.token(
      'analyst',
      'demo',
      `analyst-${randomUUID().slice(0, 8)}`,
    );
    const manager = await federation.token('manager', 'demo', 'manager-on-duty');
    const opened = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ ...REFERRAL, concerns: ['physical-abuse'] })
      .expect(status(201));
    await request(federation.http())
      .put(`/api/v1/cases/${opened.body.id}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));

    const recorder = await new TopicRecorder(Topics.queryRequested('police')).start();
    try {
      const accepted = await request(federation.http())
        .post(`/api/v1/cases/${opened.body.id}/queries`)
        .set('Authorization', `Bearer ${analyst}`)
        .send({ purpose: 'mash-triage', agencies: ['police'] })
        .expect(status(202));
      expect(accepted.body.agencies[0]).toMatchObject({
        agency: 'police',
        decision: 'permit',
        status: 'pending',
      });
      const sent = await eventually(async () =>
        recorder.messages.find((m) => m.key === accepted.body.id),
      );
      expect(sent.headers[Headers.correlationId]).toBe(accepted.body.id);
      const message = JSON.parse(sent.value) as { grant: string; partnership: string };
      expect(message.partnership).toBe('demo');

      const header = decodeProtectedHeader(message.grant);
      const claims = decodeJwt(message.grant) as {
        iss: string;
        sub: string;
        aud: string;
        mash: { requestedBy: unknown; queryId: string };
      };
      const brokerJwks = (
        await request(federation.http()).get('/.well-known/jwks.json').expect(status(200))
      ).body as JSONWebKeySet;
      // The broker's own identity: its issuer name and a key it publishes, and the signature verifies.
      expect(claims.iss).toBe('mash-broker');
      expect(brokerJwks.keys.map((k) => k.kid)).toContain(header.kid);
      await expect(
        jwtVerify(message.grant, createLocalJWKSet(brokerJwks), {
          issuer: 'mash-broker',
          audience: 'police',
        }),
      ).resolves.toBeDefined();
      // The user's identity: who asked, in which role, for which partnership.
      const { sub } = decodeJwt(analyst);
      expect(claims.sub).toBe(sub);
      expect(claims.mash.queryId).toBe(accepted.body.id);
      expect(claims.mash.requestedBy).toEqual({ sub, role: 'analyst', partnership: 'demo' });
      // Never the dev issuer's token itself.
      expect(sent.value).not.toContain(analyst.split('.')[2]);
      expect(claims.iss).not.toBe(DEV_ISSUER);
    } finally {
      await recorder.stop();
    }
  });
});

describe('Authentication: throttling failed attempts per client', () => {
  let federation: Federation;
  const LIMIT = 5;

  beforeAll(async () => {
    // Failure counts live in the database and outlast a broker (the block above left some for
    // this client): start from an empty one.
    await dropDatabases([DB]);
    federation = new Federation(
      baseEnv({
        PORT: '3912',
        DATABASE_URL: testDatabaseUrl(DB),
        AUTH_FAILURE_LIMIT: String(LIMIT),
        AUTH_FAILURE_WINDOW_SECONDS: '60',
      }),
    );
    await federation.startBroker();
  }, 120_000);

  afterAll(async () => {
    await federation?.stop();
  });

  /** A request from another loopback address: another client as the broker sees it. */
  function fromOtherClient(
    path: string,
    authorization: string,
  ): Promise<{ status: number; body: { code?: string } }> {
    return new Promise((done, fail) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port: 3912,
          path,
          localAddress: '127.0.0.2',
          headers: { authorization },
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString()));
          res.on('end', () =>
            done({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string } }),
          );
        },
      );
      req.on('error', fail);
      req.end();
    });
  }

  it('answers 429 to a burst of bad tokens from one client, while good tokens and other clients still pass', async () => {
    const dev = await devIssuerKey(TEST_KEYS_DIR);
    const forged = await sign(await strangerKey(), goodClaims());
    for (let i = 0; i < LIMIT; i += 1) {
      const res = await request(federation.http())
        .get('/api/v1/cases')
        .set('Authorization', `Bearer ${forged}`)
        .expect(status(401));
      expect(res.body.code).toBe('AUTH.UNKNOWN_KEY');
    }
    const throttled = await request(federation.http())
      .get('/api/v1/cases')
      .set('Authorization', `Bearer ${forged}`)
      .expect(status(429));
    expect(throttled.body).toEqual({
      statusCode: 429,
      code: 'AUTH.TOO_MANY_FAILURES',
      message: expect.any(String),
      correlationId: expect.any(String),
    });
    await request(federation.http())
      .get('/api/v1/cases')
      .set('Authorization', 'Bearer garbage')
      .expect(status(429));

    // A good token from the same address is never held back.
    const good = await sign(dev, goodClaims({ roles: ['manager'] }));
    await request(federation.http())
      .get('/api/v1/cases')
      .set('Authorization', `Bearer ${good}`)
      .expect(status(200));
    // Another client's mistake is its own: 401, not 429.
    const other = await fromOtherClient('/api/v1/cases', `Bearer ${forged}`);
    expect(other).toEqual({
      status: 401,
      body: expect.objectContaining({ code: 'AUTH.UNKNOWN_KEY' }),
    });
    const otherGood = await fromOtherClient('/api/v1/cases', `Bearer ${good}`);
    expect(otherGood.status).toBe(200);

    const metrics = (await request(federation.http()).get('/metrics').expect(status(200))).text;
    expect(
      metricValue(metrics, 'mash_auth_failures_total', 'AUTH.UNKNOWN_KEY'),
    ).toBeGreaterThanOrEqual(LIMIT + 2);
  });
});

describe('npm run token', () => {
  const run = promisify(execFile);
  const withoutAuthMode = (): NodeJS.ProcessEnv => {
    const env = { ...process.env };
    delete env.AUTH_MODE;
    return env;
  };

  it('refuses when the broker is configured for a production identity provider', async () => {
    const failed = await run(
      'npm',
      ['run', '--silent', 'token', '--', '--role', 'analyst', '--partnership', 'demo'],
      {
        cwd: ROOT,
        env: { ...process.env, AUTH_MODE: 'production', KEYS_DIR: TEST_KEYS_DIR },
      },
    ).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed).toBeDefined();
    expect(failed?.code).not.toBe(0);
    expect(failed?.stderr).toMatch(/refusing: AUTH_MODE is not "dev"/);
    expect(failed?.stdout).not.toMatch(/eyJ/);
  });

  it('refuses when AUTH_MODE is unset but a production issuer is configured', async () => {
    const failed = await run(
      'npm',
      ['run', '--silent', 'token', '--', '--role', 'analyst', '--partnership', 'demo'],
      {
        cwd: ROOT,
        env: {
          ...withoutAuthMode(),
          AUTH_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0',
          KEYS_DIR: TEST_KEYS_DIR,
        },
      },
    ).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.stderr).toMatch(/refusing/);
  });

  it('prints a token the development broker accepts', async () => {
    const { stdout } = await run(
      'npm',
      [
        'run',
        '--silent',
        'token',
        '--',
        '--role',
        'auditor',
        '--partnership',
        'demo',
        '--sub',
        'cli-user',
      ],
      {
        cwd: ROOT,
        env: { ...withoutAuthMode(), KEYS_DIR: TEST_KEYS_DIR },
      },
    );
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({
      iss: DEV_ISSUER,
      sub: 'cli-user',
      roles: ['auditor'],
      partnership: 'demo',
    });
    const dev = await devIssuerKey(TEST_KEYS_DIR);
    await expect(
      jwtVerify(stdout.trim(), await importJWK(dev.publicJwk, dev.alg), { issuer: DEV_ISSUER }),
    ).resolves.toBeDefined();
  });
});
