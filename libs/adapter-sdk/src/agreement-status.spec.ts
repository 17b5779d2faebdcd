import { randomUUID } from 'node:crypto';
import { CompactSign, createLocalJWKSet, exportJWK, generateKeyPair, type CryptoKey } from 'jose';
import { AGREEMENT_STATUS_JWS_TYPE, type AgreementStatusClaimsV1 } from '@mash/contracts';
import { AgreementStatusRegistry } from './agreement-status';

const AGREEMENT = { id: '6f1c2a4e-3b7d-4c1e-9a52-1d0f8e7b3c01', version: 1 };

describe(AgreementStatusRegistry.name, () => {
  let broker: { privateKey: CryptoKey; kid: string };
  let other: { privateKey: CryptoKey; kid: string };
  let sut: AgreementStatusRegistry;
  let brokerKeys: ReturnType<typeof createLocalJWKSet>;

  beforeAll(async () => {
    const make = async (kid: string) => {
      const pair = await generateKeyPair('EdDSA', { crv: 'Ed25519' });
      return {
        privateKey: pair.privateKey,
        kid,
        jwk: { ...(await exportJWK(pair.publicKey)), kid, alg: 'EdDSA', use: 'sig' },
      };
    };
    const b = await make('broker-1');
    const o = await make('intruder-1');
    broker = b;
    other = o;
    brokerKeys = createLocalJWKSet({ keys: [b.jwk] });
    sut = new AgreementStatusRegistry('police', brokerKeys);
  });

  async function message(
    status: AgreementStatusClaimsV1['status'],
    opts: {
      signer?: { privateKey: CryptoKey; kid: string };
      typ?: string;
      agency?: 'police' | 'health';
      outerVersion?: number;
      version?: number;
      changedAt?: Date;
    } = {},
  ): Promise<string> {
    const version = opts.version ?? AGREEMENT.version;
    const claims: AgreementStatusClaimsV1 = {
      partnership: 'demo',
      agency: opts.agency ?? 'police',
      agreementId: AGREEMENT.id,
      agreementVersion: version,
      status,
      hash: 'a'.repeat(64),
      changedAt: (opts.changedAt ?? new Date()).toISOString(),
      issuedAt: (opts.changedAt ?? new Date()).toISOString(),
    };
    const signer = opts.signer ?? broker;
    const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
      .setProtectedHeader({
        alg: 'EdDSA',
        kid: signer.kid,
        typ: opts.typ ?? AGREEMENT_STATUS_JWS_TYPE,
      })
      .sign(signer.privateKey);
    return JSON.stringify({
      type: 'agreement.status.changed',
      version: 1,
      messageId: randomUUID(),
      partnership: 'demo',
      agency: opts.agency ?? 'police',
      agreementId: AGREEMENT.id,
      agreementVersion: opts.outerVersion ?? version,
      signed,
    });
  }

  it('does not let a replayed older "active" un-suspend a version', async () => {
    const registry = new AgreementStatusRegistry('police', brokerKeys);
    const before = new Date(Date.UTC(2026, 0, 1, 9));
    const after = new Date(Date.UTC(2026, 0, 1, 10));
    const oldActive = await message('active', { changedAt: before });
    expect(await registry.apply(oldActive)).toBe('applied');
    expect(await registry.apply(await message('suspended', { changedAt: after }))).toBe('applied');
    expect(await registry.apply(oldActive)).toBe('stale');
    expect(registry.notInForce('demo', AGREEMENT)).toBe(true);
  });

  it('knows nothing of a version it has not been told about, so the grant decides', () => {
    expect(
      new AgreementStatusRegistry('police', createLocalJWKSet({ keys: [] })).notInForce(
        'demo',
        AGREEMENT,
      ),
    ).toBe(false);
  });

  it('refuses a version once the broker says it is suspended, and follows the latest status', async () => {
    expect(await sut.apply(await message('active'))).toBe('applied');
    expect(sut.notInForce('demo', AGREEMENT)).toBe(false);
    expect(await sut.apply(await message('suspended'))).toBe('applied');
    expect(sut.notInForce('demo', AGREEMENT)).toBe(true);
    expect(sut.notInForce('other-partnership', AGREEMENT)).toBe(false);
    expect(await sut.apply(await message('expired', { version: 2 }))).toBe('applied');
    expect(sut.notInForce('demo', { id: AGREEMENT.id, version: 2 })).toBe(true);
  });

  it('ignores statuses not signed by the broker, of another type, for another agency, or re-addressed', async () => {
    await sut.apply(await message('suspended', { version: 3 }));
    for (const forged of [
      await message('active', { version: 3, signer: other }),
      await message('active', { version: 3, typ: 'mash-grant+jwt' }),
      await message('active', { version: 3, agency: 'health' }),
      await message('active', { version: 4, outerVersion: 3 }),
      '{"type":"agreement.status.changed"',
    ]) {
      expect(await sut.apply(forged)).toBe('invalid');
    }
    expect(sut.statusOf('demo', AGREEMENT.id, 3)).toBe('suspended');
  });
});
