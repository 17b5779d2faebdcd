import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet } from 'jose';
import { FileKeyRingStore, ServiceKeys, publicJwks } from './keys';
import { signGrant, verifyGrant } from './grant';
import { decryptJson, encryptFor, openSigned, sealSigned } from './envelope';
import { codeOf, grantClaims } from './spec-support';

const claims = grantClaims;

describe(FileKeyRingStore.name, () => {
  let dir: string;
  let sut: FileKeyRingStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mash-keys-'));
    sut = new FileKeyRingStore(dir);
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** What a verifier holds: the service's published keys, as served at its JWKS URL. */
  const published = (service: string) => createLocalJWKSet(publicJwks(sut.read(service)!));

  it('creates one active signing and one active encryption key on first use, privately, and reuses them', async () => {
    const first = await sut.loadOrCreate('broker');
    expect(first.keys.map((k) => [k.use, k.status])).toEqual([
      ['sig', 'active'],
      ['enc', 'active'],
    ]);
    expect(statSync(sut.path('broker')).mode & 0o777).toBe(0o600);
    expect((await sut.loadOrCreate('broker')).keys.map((k) => k.kid)).toEqual(
      first.keys.map((k) => k.kid),
    );
    expect(sut.services()).toEqual(['broker']);
  });

  it('keeps verifying grants signed before a rotation until the old key is retired', async () => {
    const before = await ServiceKeys.fromRing(await sut.loadOrCreate('broker'));
    const old = await signGrant(claims('police'), before.signing, 60);

    const fresh = await sut.rotate('broker', 'sig');
    const after = await ServiceKeys.fromRing(sut.read('broker')!);
    expect(after.signing.kid).toBe(fresh.kid);
    expect(after.signing.kid).not.toBe(before.signing.kid);
    const current = await signGrant(claims('police'), after.signing, 60);

    // Overlap window: both verify against what the broker publishes.
    expect((await verifyGrant(old.token, published('broker'), 'police')).grantId).toBe(old.grantId);
    expect((await verifyGrant(current.token, published('broker'), 'police')).grantId).toBe(
      current.grantId,
    );

    const retired = sut.retire('broker', before.signing.kid);
    expect(retired.privateJwk).toEqual({ kid: before.signing.kid });
    expect(publicJwks(sut.read('broker')!).keys.map((k) => k.kid)).not.toContain(
      before.signing.kid,
    );
    expect(await codeOf(verifyGrant(old.token, published('broker'), 'police'))).toBe(
      'GRANT.UNKNOWN_KEY',
    );
    expect((await verifyGrant(current.token, published('broker'), 'police')).grantId).toBe(
      current.grantId,
    );
  });

  it('keeps decrypting criteria sealed to the old encryption key during the overlap, and not after retirement', async () => {
    const before = await ServiceKeys.fromRing(await sut.loadOrCreate('adapter-police'));
    const oldJwk = before.encryptionJwk();
    const sealed = await encryptFor({ secret: 1 }, oldJwk);

    const fresh = await sut.rotate('adapter-police', 'enc');
    const after = await ServiceKeys.fromRing(sut.read('adapter-police')!);
    expect(after.encryptionJwk().kid).toBe(fresh.kid);
    expect(await decryptJson(sealed, after)).toEqual({ secret: 1 });
    expect(
      await decryptJson(await encryptFor({ secret: 2 }, after.encryptionJwk()), after),
    ).toEqual({ secret: 2 });

    sut.retire('adapter-police', oldJwk.kid!);
    const retired = await ServiceKeys.fromRing(sut.read('adapter-police')!);
    expect(await codeOf(decryptJson(sealed, retired))).toBe('TRUST.UNKNOWN_RECIPIENT_KEY');
  });

  it("keeps accepting an agency's answers signed before its rotation until the old key is retired", async () => {
    const broker = await ServiceKeys.fromRing(await sut.loadOrCreate('broker'));
    const police = await ServiceKeys.fromRing(await sut.loadOrCreate('adapter-police'));
    const answer = await sealSigned({ status: 'no-match' }, police.signing, broker.encryptionJwk());

    await sut.rotate('adapter-police', 'sig');
    expect((await openSigned(answer, broker, published('adapter-police'))).payload).toEqual({
      status: 'no-match',
    });

    sut.retire('adapter-police', police.signing.kid);
    expect(await codeOf(openSigned(answer, broker, published('adapter-police')))).toBe(
      'TRUST.BAD_SIGNATURE',
    );
  });

  it('refuses to retire the active key, an unknown key or one already retired', async () => {
    const ring = await sut.loadOrCreate('broker');
    const sig = ring.keys.find((k) => k.use === 'sig')!;
    expect(() => sut.retire('broker', sig.kid)).toThrow(
      expect.objectContaining({ code: 'KEYS.ACTIVE_KEY' }),
    );
    expect(() => sut.retire('broker', 'sig-nope')).toThrow(
      expect.objectContaining({ code: 'KEYS.UNKNOWN_KEY' }),
    );
    await sut.rotate('broker', 'sig');
    sut.retire('broker', sig.kid);
    expect(() => sut.retire('broker', sig.kid)).toThrow(
      expect.objectContaining({ code: 'KEYS.ALREADY_RETIRED' }),
    );
  });
});
