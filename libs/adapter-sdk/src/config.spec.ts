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
});
