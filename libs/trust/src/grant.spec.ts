import { SignJWT, createLocalJWKSet, decodeJwt, decodeProtectedHeader } from 'jose';
import { GRANT_ISSUER, GRANT_TYPE, signGrant, verifyGrant, type GrantClaims } from './grant';
import { codeOf, grantClaims, suiteKeys } from './spec-support';

const claims = grantClaims('police');

describe('signGrant / verifyGrant', () => {
  const keys = suiteKeys('broker', 'other');
  const brokerKeys = () => createLocalJWKSet(keys.broker.jwks);

  it('signs a JWT with the claims SignJWT produced, and verifies it back', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { token, grantId } = await signGrant(claims, keys.broker.signing, 120);
    expect(decodeProtectedHeader(token)).toEqual({
      alg: 'EdDSA',
      kid: keys.broker.signing.kid,
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
      .setProtectedHeader({ alg: 'EdDSA', kid: keys.broker.signing.kid, typ: GRANT_TYPE })
      .setIssuer(GRANT_ISSUER)
      .setAudience(agency)
      .setSubject(claims.requestedBy.sub)
      .setJti('grant-1')
      .setIssuedAt()
      .setExpirationTime('60s')
      .sign(keys.broker.signing.privateKey);
    expect((await verifyGrant(token, brokerKeys(), 'police')).grantId).toBe('grant-1');
  });

  it('refuses an edited grant, another signer, another agency and an expired grant', async () => {
    const { token } = await signGrant(claims, keys.broker.signing, 120);
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
    const impostor = await signGrant(
      claims,
      { ...keys.other.signing, kid: keys.broker.signing.kid },
      120,
    );
    expect(await codeOf(verifyGrant(impostor.token, brokerKeys(), 'police'))).toBe(
      'GRANT.BAD_SIGNATURE',
    );
    expect(await codeOf(verifyGrant(token, brokerKeys(), 'health'))).toBe('GRANT.WRONG_AUDIENCE');

    const expired = await signGrant(claims, keys.broker.signing, -60);
    expect(await codeOf(verifyGrant(expired.token, brokerKeys(), 'police'))).toBe('GRANT.EXPIRED');
  });

  it('refuses to sign without an agency or with a lifetime that is not a number', async () => {
    await expect(
      signGrant({ ...claims, agency: undefined as never }, keys.broker.signing, 60),
    ).rejects.toThrow(TypeError);
    await expect(signGrant(claims, keys.broker.signing, Number.NaN)).rejects.toThrow(TypeError);
  });
});
