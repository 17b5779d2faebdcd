import { ConfigError, DEV_AUDIENCE, DEV_ISSUER, loadBrokerConfig } from './config';

const ENTRA = {
  AUTH_MODE: 'production',
  AUTH_ISSUER: 'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0',
  AUTH_AUDIENCE: 'api://mash-broker',
  AUTH_JWKS_URL:
    'https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/discovery/v2.0/keys',
};

function refusal(env: NodeJS.ProcessEnv): string {
  try {
    loadBrokerConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe(loadBrokerConfig.name, () => {
  it('defaults to production mode, which needs the identity provider settings', () => {
    expect(refusal({})).toMatch(
      /AUTH_MODE=production needs AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_URL/,
    );
    expect(
      refusal({
        AUTH_MODE: 'production',
        AUTH_ISSUER: ENTRA.AUTH_ISSUER,
        AUTH_AUDIENCE: ENTRA.AUTH_AUDIENCE,
      }),
    ).toMatch(/AUTH_JWKS_URL/);
  });

  it('accepts a production identity provider and keeps its settings', () => {
    const sut = loadBrokerConfig({
      ...ENTRA,
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      AUTH_ALGORITHMS: 'RS256',
    });
    expect(sut.auth).toMatchObject({
      mode: 'production',
      issuer: ENTRA.AUTH_ISSUER,
      audience: ENTRA.AUTH_AUDIENCE,
      jwksUrl: ENTRA.AUTH_JWKS_URL,
      rolesClaim: 'realm_access.roles',
      algorithms: ['RS256'],
    });
  });

  it('refuses to start in production with the development issuer', () => {
    expect(refusal({ ...ENTRA, AUTH_ISSUER: DEV_ISSUER })).toMatch(
      /production refuses the development issuer/,
    );
    expect(
      refusal({ ...ENTRA, AUTH_JWKS_URL: 'http://127.0.0.1:3000/.well-known/dev-jwks.json' }),
    ).toMatch(/production refuses the development issuer/);
    expect(
      refusal({ ...ENTRA, AUTH_JWKS_URL: 'http://broker.internal/.well-known/dev-jwks.json?v=2' }),
    ).toMatch(/development issuer/);
  });

  it('refuses symmetric, unsigned or unknown token algorithms, naming them', () => {
    expect(refusal({ ...ENTRA, AUTH_ALGORITHMS: 'RS256,HS256' })).toMatch(
      /only asymmetric algorithms.*refused: HS256/,
    );
    expect(refusal({ ...ENTRA, AUTH_ALGORITHMS: 'none' })).toMatch(/refused: none/);
    expect(refusal({ ...ENTRA, AUTH_ALGORITHMS: ' , ' })).toMatch(/at least one/);
  });

  it('refuses malformed numbers and modes with the variable named', () => {
    expect(refusal({ ...ENTRA, AUTH_CLOCK_TOLERANCE_SECONDS: '3600' })).toMatch(
      /AUTH_CLOCK_TOLERANCE_SECONDS/,
    );
    expect(refusal({ ...ENTRA, AUTH_MODE: 'staging' })).toMatch(/AUTH_MODE/);
    expect(refusal({ ...ENTRA, AUTH_JWKS_URL: 'not a url' })).toMatch(/AUTH_JWKS_URL/);
  });

  it('uses the development issuer in dev mode, whatever issuer is set', () => {
    const sut = loadBrokerConfig({ AUTH_MODE: 'dev', AUTH_ISSUER: 'https://elsewhere.example' });
    expect(sut.auth).toMatchObject({
      mode: 'dev',
      issuer: DEV_ISSUER,
      audience: DEV_AUDIENCE,
      jwksUrl: undefined,
    });
  });

  it('refuses plain-http key set URLs in production, except to a loopback address', () => {
    expect(refusal({ ...ENTRA, AUTH_JWKS_URL: 'http://idp.example.org/keys' })).toMatch(
      /https key set URLs.*refused: AUTH_JWKS_URL/,
    );
    expect(
      refusal({ ...ENTRA, POLICE_JWKS_URL: 'http://adapter-police:3101/.well-known/jwks.json' }),
    ).toMatch(/refused: POLICE_JWKS_URL/);
    expect(
      loadBrokerConfig({ ...ENTRA, AUTH_JWKS_URL: 'http://127.0.0.1:8080/keys' }).auth.jwksUrl,
    ).toBe('http://127.0.0.1:8080/keys');
    expect(
      loadBrokerConfig({ AUTH_MODE: 'dev', POLICE_JWKS_URL: 'http://adapter-police:3101/jwks' })
        .agencyJwksOverrides.police,
    ).toBe('http://adapter-police:3101/jwks');
  });

  it('reads the log level, the outbox switch and the agency list through the validated config', () => {
    expect(refusal({ AUTH_MODE: 'dev', LOG_LEVEL: 'chatty' })).toMatch(/LOG_LEVEL/);
    const config = loadBrokerConfig({
      AUTH_MODE: 'dev',
      LOG_LEVEL: 'warn',
      OUTBOX_RELAY_DISABLED: '1',
      POLICE_JWKS_URL: 'http://127.0.0.1:9999/jwks.json',
    });
    expect(config).toMatchObject({ logLevel: 'warn', outboxRelayDisabled: true });
    // The agencies whose key set a variable may override are those the registry file names.
    expect(Object.keys(config.agencyRegistry.default ?? {})).toEqual([
      'police',
      'health',
      'education',
      'social-care',
    ]);
    expect(config.agencyJwksOverrides).toEqual({ police: 'http://127.0.0.1:9999/jwks.json' });
    expect(refusal({ AUTH_MODE: 'dev', AGENCY_REGISTRY_FILE: 'no/such/registry.json' })).toMatch(
      /AGENCY_REGISTRY_FILE/,
    );
  });
});
