import { loadAdapterConfig } from './config';

describe(loadAdapterConfig.name, () => {
  it('refuses to fetch the broker keys over plain http except on loopback or when a demo allows it', () => {
    expect(() =>
      loadAdapterConfig('police', { BROKER_JWKS_URL: 'http://broker.example.org/jwks.json' }),
    ).toThrow(/BROKER_JWKS_URL must be https/);
    const sut = (url: string, extra: NodeJS.ProcessEnv = {}) =>
      loadAdapterConfig('police', { BROKER_JWKS_URL: url, ...extra }).brokerJwksUrl;
    expect(sut('https://broker.example.org/jwks.json')).toBe(
      'https://broker.example.org/jwks.json',
    );
    expect(sut('http://127.0.0.1:3000/.well-known/jwks.json')).toMatch(/^http:/);
    expect(sut('http://broker:3000/jwks.json', { ALLOW_INSECURE_JWKS: 'true' })).toMatch(/^http:/);
  });

  it("keeps the adapter's own database apart from the source, beside DATABASE_URL by default", () => {
    const sut = (env: NodeJS.ProcessEnv) => loadAdapterConfig('social-care', env);
    const plain = sut({ DATABASE_URL: 'postgres://u@db:5432/mash_broker' });
    expect(new URL(plain.storeDatabaseUrl).pathname).toBe('/mash_adapter_social_care');
    expect(new URL(plain.sourceDatabaseUrl).pathname).toBe('/mash_social_care');
    const onlySource = sut({ SOURCE_DATABASE_URL: 'postgres://reader@src:5432/cms' });
    expect(new URL(onlySource.storeDatabaseUrl).host).toBe('src:5432');
    expect(new URL(onlySource.storeDatabaseUrl).pathname).toBe('/mash_adapter_social_care');
    const own = sut({ SOCIAL_CARE_ADAPTER_DATABASE_URL: 'postgres://a@store:5432/adapter' });
    expect(own.storeDatabaseUrl).toBe('postgres://a@store:5432/adapter');
  });

  it('needs a port for an agency beyond the example four', () => {
    expect(() => loadAdapterConfig('housing', {})).toThrow(/HOUSING_ADAPTER_PORT/);
    expect(loadAdapterConfig('housing', { HOUSING_ADAPTER_PORT: '3105' }).port).toBe(3105);
  });
});
