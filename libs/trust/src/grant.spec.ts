import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { FileKeyRingStore, ServiceKeys } from './keys';
import {
  GRANT_ISSUER,
  GRANT_TYPE,
  criteriaHash,
  sealCriteria,
  signGrant,
  verifyGrant,
  type GrantClaims,
} from './grant';
import { TrustError } from './errors';

const claims: GrantClaims = {
  queryId: '0f8c3a52-1b7e-4c1a-9a55-2a2f5d3f9b10',
  caseRef: 'c6c1f0c4-7a43-4a8e-8a8e-5f7a1b9d2c11',
  partnership: 'demo',
  agency: 'police',
  purpose: 'mash-triage',
  legalGateways: ['children-act-1989-s47'],
  agreement: { id: 'police-demo', version: 1, hash: 'h' },
  categories: [{ name: 'occurrences', fields: [{ name: 'occurredOn', action: 'include' }] }],
  requestedBy: { sub: 'analyst-1', role: 'analyst', partnership: 'demo' },
  criteriaHash: criteriaHash(sealCriteria({ givenName: 'A', familyName: 'B' })),
};

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TrustError) return error.code;
    throw error;
  }
  return 'accepted';
}

describe('signGrant / verifyGrant', () => {
  let dir: string;
  let broker: ServiceKeys;
  let other: ServiceKeys;
  const brokerKeys = () => createLocalJWKSet(broker.jwks);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mash-grant-'));
    const store = new FileKeyRingStore(dir);
    broker = await ServiceKeys.fromRing(await store.loadOrCreate('broker'));
    other = await ServiceKeys.fromRing(await store.loadOrCreate('other'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs a JWT with the claims SignJWT produced, and verifies it back', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { token, grantId } = await signGrant(claims, broker.signing, 120);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      kid: broker.signing.kid,
      typ: GRANT_TYPE,
    });
    const { agency: _agency, ...mash } = claims;
    const payload = decodeJwt(token);
    expect(payload).toEqual({
      mash,
      iss: GRANT_ISSUER,
      aud: 'police',
      sub: 'analyst-1',
      jti: grantId,
      iat: expect.any(Number),
      exp: (payload.iat ?? 0) + 120,
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(await verifyGrant(token, brokerKeys(), 'police')).toMatchObject({
      ...claims,
      grantId,
      expiresAt: payload.exp,
    });
  });

  it('still verifies a grant built with SignJWT (grants issued before this release)', async () => {
    const { agency, ...rest } = claims;
    const token = await new SignJWT({ mash: rest })
      .setProtectedHeader({ alg: 'EdDSA', kid: broker.signing.kid, typ: GRANT_TYPE })
      .setIssuer(GRANT_ISSUER)
      .setAudience(agency)
      .setSubject(claims.requestedBy.sub)
      .setJti('grant-1')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(broker.signing.privateKey);
    expect((await verifyGrant(token, brokerKeys(), 'police')).grantId).toBe('grant-1');
  });

  it('refuses an edited grant, another signer, another agency and an expired grant', async () => {
    const { token } = await signGrant(claims, broker.signing, 120);
    const [header, payload, signature] = token.split('.');
    const edited = JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
      mash: GrantClaims;
    };
    edited.mash.categories[0].fields.push({ name: 'location', action: 'include' });
    const forged = [header, Buffer.from(JSON.stringify(edited)).toString('base64url'), signature];
    expect(await codeOf(verifyGrant(forged.join('.'), brokerKeys(), 'police'))).toBe(
      'GRANT.BAD_SIGNATURE',
    );

    // Signed by a key the broker has not published, under the broker's kid.
    const impostor = await signGrant(claims, { ...other.signing, kid: broker.signing.kid }, 120);
    expect(await codeOf(verifyGrant(impostor.token, brokerKeys(), 'police'))).toBe(
      'GRANT.BAD_SIGNATURE',
    );
    expect(await codeOf(verifyGrant(token, brokerKeys(), 'health'))).toBe('GRANT.WRONG_AUDIENCE');

    const expired = await signGrant(claims, broker.signing, -60);
    expect(await codeOf(verifyGrant(expired.token, brokerKeys(), 'police'))).toBe('GRANT.EXPIRED');
  });

  it('refuses to sign without an agency or with a lifetime that is not a number', async () => {
    await expect(
      signGrant({ ...claims, agency: undefined as never }, broker.signing, 60),
    ).rejects.toThrow(TypeError);
    await expect(signGrant(claims, broker.signing, Number.NaN)).rejects.toThrow(TypeError);
  });
});
