import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  SignJWT,
  exportJWK,
  generateKeyPair,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { DomainError } from '@mash/common';
import { loadBrokerConfig, type BrokerConfig } from '../config/config';
import { TokenVerifier, claimAt } from './token-verifier';

const ISSUER = 'https://keycloak.example/realms/mash';
const AUDIENCE = 'mash-broker';

describe(claimAt.name, () => {
  it('reads a claim by name, by dotted path, and a name that itself holds dots', () => {
    const payload = { roles: ['a'], realm_access: { roles: ['b'] }, 'extn.partnership': 'demo' };
    expect(claimAt(payload, 'roles')).toEqual(['a']);
    expect(claimAt(payload, 'realm_access.roles')).toEqual(['b']);
    expect(claimAt(payload, 'extn.partnership')).toBe('demo');
    expect(claimAt(payload, 'realm_access.missing')).toBeUndefined();
  });

  it('never walks into inherited properties', () => {
    expect(claimAt({}, 'constructor')).toBeUndefined();
    expect(claimAt({ a: {} }, 'a.__proto__.constructor')).toBeUndefined();
  });
});

describe(TokenVerifier.name, () => {
  let server: Server;
  let jwksStatus = 200;
  let key: { privateKey: CryptoKey; jwk: JWK };

  beforeAll(async () => {
    const pair = await generateKeyPair('RS256', { extractable: true });
    key = {
      privateKey: pair.privateKey,
      jwk: { ...(await exportJWK(pair.publicKey)), kid: 'kc-1', alg: 'RS256', use: 'sig' },
    };
    server = createServer((_req, res) => {
      res.statusCode = jwksStatus;
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ keys: [key.jwk] }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  });

  afterAll(() => server.close());

  function config(extra: Record<string, string> = {}): BrokerConfig {
    return loadBrokerConfig({
      AUTH_MODE: 'production',
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/realms/mash/protocol/openid-connect/certs`,
      ...extra,
    });
  }

  function token(claims: JWTPayload, iat = Math.floor(Date.now() / 1000)): Promise<string> {
    return new SignJWT({
      iss: ISSUER,
      aud: [AUDIENCE, 'account'],
      sub: 'user-1',
      iat,
      exp: iat + 3600,
      typ: 'Bearer',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'kc-1', typ: 'JWT' })
      .sign(key.privateKey);
  }

  async function codeOf(sut: TokenVerifier, jwt: string): Promise<string> {
    try {
      await sut.verify(jwt);
      return 'accepted';
    } catch (error) {
      return error instanceof DomainError ? `${error.status} ${error.code}` : String(error);
    }
  }

  it('accepts a Keycloak access token with realm roles and a user-attribute partnership', async () => {
    const sut = new TokenVerifier(config({ AUTH_ROLES_CLAIM: 'realm_access.roles' }));
    const principal = await sut.verify(
      await token({ realm_access: { roles: ['offline_access', 'analyst'] }, partnership: 'demo' }),
    );
    expect(principal).toMatchObject({ sub: 'user-1', roles: ['analyst'], partnership: 'demo' });
  });

  it('reads client roles and an Entra-style extension claim when configured so', async () => {
    const sut = new TokenVerifier(
      config({
        AUTH_ROLES_CLAIM: 'resource_access.mash-broker.roles',
        AUTH_PARTNERSHIP_CLAIM: 'extn.partnership',
      }),
    );
    const principal = await sut.verify(
      await token({
        resource_access: { 'mash-broker': { roles: ['auditor'] } },
        'extn.partnership': 'north',
      }),
    );
    expect(principal).toMatchObject({ roles: ['auditor'], partnership: 'north' });
  });

  it('tells a token past the maximum age from an expired one', async () => {
    const sut = new TokenVerifier(
      config({ AUTH_MAX_TOKEN_AGE_SECONDS: '600', AUTH_ROLES_CLAIM: 'realm_access.roles' }),
    );
    const old = await token(
      { realm_access: { roles: ['analyst'] }, partnership: 'demo' },
      Math.floor(Date.now() / 1000) - 1200,
    );
    expect(await codeOf(sut, old)).toBe('401 AUTH.TOKEN_TOO_OLD');
  });

  it('accepts an agency representative only with a known agency and no other role', async () => {
    const sut = new TokenVerifier(config());
    await expect(
      sut.verify(
        await token({ roles: ['agency-representative'], partnership: 'demo', agency: 'police' }),
      ),
    ).resolves.toMatchObject({ roles: ['agency-representative'], agency: 'police' });
    expect(
      await codeOf(sut, await token({ roles: ['agency-representative'], partnership: 'demo' })),
    ).toBe('403 AUTH.NO_AGENCY');
    expect(
      await codeOf(
        sut,
        await token({ roles: ['agency-representative'], partnership: 'demo', agency: 'fire' }),
      ),
    ).toBe('403 AUTH.NO_AGENCY');
    expect(
      await codeOf(
        sut,
        await token({
          roles: ['agency-representative', 'analyst'],
          partnership: 'demo',
          agency: 'police',
        }),
      ),
    ).toBe('403 AUTH.ROLE_CONFLICT');
  });

  it('refuses Keycloak ID tokens', async () => {
    const sut = new TokenVerifier(config({ AUTH_ROLES_CLAIM: 'realm_access.roles' }));
    expect(
      await codeOf(
        sut,
        await token({ typ: 'ID', realm_access: { roles: ['analyst'] }, partnership: 'demo' }),
      ),
    ).toBe('401 AUTH.TOKEN_TYPE_REFUSED');
  });

  it('answers 503 IDP_UNAVAILABLE, not a token error, when the JWKS cannot be fetched', async () => {
    jwksStatus = 500;
    try {
      const sut = new TokenVerifier(config({ AUTH_ROLES_CLAIM: 'realm_access.roles' }));
      expect(
        await codeOf(
          sut,
          await token({ realm_access: { roles: ['analyst'] }, partnership: 'demo' }),
        ),
      ).toBe('503 AUTH.IDP_UNAVAILABLE');
    } finally {
      jwksStatus = 200;
    }
  });
});
