import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { JwksClient } from './jwks-client';

async function key(kid: string) {
  const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  return {
    kid,
    privateKey: pair.privateKey,
    jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'EdDSA', use: 'sig' } as JWK,
  };
}

describe(JwksClient.name, () => {
  let server: Server;
  let served: JWK[] = [];
  let hits = 0;
  let url: string;

  beforeAll(async () => {
    server = createServer((_req, res) => {
      hits += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  beforeEach(() => {
    hits = 0;
  });

  it('caches the key set between verifications', async () => {
    const k = await key('a');
    served = [k.jwk];
    const sut = new JwksClient(url, { cooldownMs: 0 });
    await sut.get();
    await sut.get();
    expect(hits).toBe(1);
  });

  it('refetches once when a token names a kid it has not seen (key rotation)', async () => {
    const old = await key('old');
    const fresh = await key('new');
    served = [old.jwk];
    const sut = new JwksClient(url, { cooldownMs: 0 });
    await sut.get();
    served = [old.jwk, fresh.jwk];
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'EdDSA', kid: 'new' })
      .sign(fresh.privateKey);
    const resolved = await sut.getKey({ alg: 'EdDSA', kid: 'new' }, {
      payload: token,
      signature: '',
    } as never);
    expect(resolved).toBeDefined();
    expect(hits).toBe(2);
  });

  it('does not refetch more than once per cooldown however many unknown kids arrive', async () => {
    const k = await key('known');
    served = [k.jwk];
    const sut = new JwksClient(url, { cooldownMs: 60_000 });
    await sut.get();
    for (let i = 0; i < 20; i++) {
      await expect(
        sut.getKey({ alg: 'EdDSA', kid: `unknown-${i}` }, {} as never),
      ).rejects.toThrow();
    }
    expect(hits).toBe(1);
  });

  it('finds the newest published encryption key', async () => {
    served = [
      { kty: 'OKP', crv: 'X25519', x: 'AAAA', kid: 'enc-1', use: 'enc' },
      { kty: 'OKP', crv: 'X25519', x: 'BBBB', kid: 'enc-2', use: 'enc' },
    ];
    const sut = new JwksClient(url);
    expect((await sut.encryptionKey()).kid).toBe('enc-2');
  });
});
