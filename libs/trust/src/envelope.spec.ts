import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet, decodeProtectedHeader, type JWK } from 'jose';
import { FileKeyRingStore, ServiceKeys } from './keys';
import { acceptsEnvelopeV2, decryptJson, encryptFor, openSigned, sealSigned } from './envelope';
import { codeOf } from './spec-support';

/** The key as a sender that predates envelope v2 sees it (no `mash-env` member). */
function v1Only(jwk: JWK): JWK {
  const { ['mash-env']: _ignored, ...rest } = jwk as JWK & { 'mash-env'?: unknown };
  return rest;
}

describe('encryptFor / decryptWith (envelopes)', () => {
  let dir: string;
  let police: ServiceKeys;
  let broker: ServiceKeys;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mash-envelope-'));
    const store = new FileKeyRingStore(dir);
    police = await ServiceKeys.fromRing(await store.loadOrCreate('adapter-police'));
    broker = await ServiceKeys.fromRing(await store.loadOrCreate('broker'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sends v2 to a key that announces it, reusing one wrapped session key, and it decrypts', async () => {
    const to = police.encryptionJwk();
    expect(acceptsEnvelopeV2(to)).toBe(true);
    const first = await encryptFor({ n: 1 }, to);
    const second = await encryptFor({ n: 2 }, to);
    const [h1, h2] = [decodeProtectedHeader(first), decodeProtectedHeader(second)];
    expect(h1).toMatchObject({ alg: 'dir', enc: 'A256GCM', kid: to.kid });
    expect(h1['mash-sk']).toEqual(h2['mash-sk']);
    expect(decodeProtectedHeader(h1['mash-sk'] as string)).toMatchObject({
      alg: 'ECDH-ES',
      enc: 'A256GCM',
      kid: to.kid,
    });
    expect(await decryptJson(first, police)).toEqual({ n: 1 });
    expect(await decryptJson(second, police)).toEqual({ n: 2 });
  });

  it('keeps sending v1 to a key that does not announce v2, and still reads v1', async () => {
    const to = v1Only(police.encryptionJwk());
    const jwe = await encryptFor({ n: 3 }, to);
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'ECDH-ES', enc: 'A256GCM' });
    expect(await decryptJson(jwe, police)).toEqual({ n: 3 });
  });

  it('is confidential to the recipient: another service cannot open it', async () => {
    const jwe = await encryptFor({ secret: true }, police.encryptionJwk());
    expect(await codeOf(decryptJson(jwe, broker))).toBe('TRUST.UNKNOWN_RECIPIENT_KEY');
  });

  it('refuses a bare `dir` JWE, a session key wrapped to another key, and an edited message', async () => {
    const jwe = await encryptFor({ n: 4 }, police.encryptionJwk());
    const [header, ...rest] = jwe.split('.');
    const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as Record<string, unknown>;
    const rebuilt = (over: Record<string, unknown>) =>
      [Buffer.from(JSON.stringify({ ...h, ...over })).toString('base64url'), ...rest].join('.');

    expect(await codeOf(decryptJson(rebuilt({ 'mash-sk': undefined }), police))).toBe(
      'TRUST.MALFORMED',
    );
    // A session key wrapped to the broker's key, presented to the police under the police kid.
    const other = decodeProtectedHeader(await encryptFor({ n: 5 }, broker.encryptionJwk()));
    expect(await codeOf(decryptJson(rebuilt({ 'mash-sk': other['mash-sk'] }), police))).toBe(
      'TRUST.MALFORMED',
    );
    // The protected header is authenticated: any change to it fails decryption.
    expect(await codeOf(decryptJson(rebuilt({ cty: 'other' }), police))).toBe(
      'TRUST.DECRYPT_FAILED',
    );
    const parts = jwe.split('.');
    parts[3] = Buffer.from('tampered ciphertext').toString('base64url');
    expect(await codeOf(decryptJson(parts.join('.'), police))).toBe('TRUST.DECRYPT_FAILED');
  });

  it('sign-then-encrypt still needs the sender’s registered key over v2', async () => {
    const sealed = await sealSigned({ answer: 'x' }, police.signing, broker.encryptionJwk());
    const opened = await openSigned<{ answer: string }>(
      sealed,
      broker,
      createLocalJWKSet(police.jwks),
    );
    expect(opened.payload).toEqual({ answer: 'x' });
    expect(await codeOf(openSigned(sealed, broker, createLocalJWKSet(broker.jwks)))).toBe(
      'TRUST.BAD_SIGNATURE',
    );
  });
});
