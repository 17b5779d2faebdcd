import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { FileKeyRingStore, SIGNING_ALG, ServiceKeys } from '@mash/trust';
import { DEV_AUDIENCE, DEV_ISSUER } from '../config/config';
import { DEV_ISSUER_SERVICE } from '../keys/broker-keys';
import type { Role } from './principal';

export interface DevTokenClaims {
  sub: string;
  roles: Role[];
  partnership: string;
  agency?: string;
  /** Lifetime; default 8 hours. */
  ttlSeconds?: number;
}

/**
 * Signs a development token with the dev issuer's key under `<keysDir>`, exactly as a real
 * identity provider would sign one; the broker verifies it through the same JWKS path.
 */
export async function issueDevToken(keysDir: string, claims: DevTokenClaims): Promise<string> {
  const keys = await ServiceKeys.fromRing(
    await new FileKeyRingStore(keysDir).loadOrCreate(DEV_ISSUER_SERVICE),
  );
  const { sub, ttlSeconds, ...rest } = claims;
  return new SignJWT({ ...rest })
    .setProtectedHeader({ alg: SIGNING_ALG, kid: keys.signing.kid, typ: 'JWT' })
    .setIssuer(DEV_ISSUER)
    .setAudience(DEV_AUDIENCE)
    .setSubject(sub)
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds ?? 8 * 3600}s`)
    .sign(keys.signing.privateKey);
}
