import { randomBytes, randomUUID } from 'node:crypto';
import { CompactSign, jwtVerify, errors as joseErrors, type JWTVerifyGetKey } from 'jose';
import { SIGNING_ALG, type LoadedKey } from './keys';
import { canonicalHash } from './hashing';
import { TrustError } from './errors';

export const GRANT_ISSUER = 'mash-broker';
export const GRANT_TYPE = 'mash-grant+jwt';

const encoder = new TextEncoder();

export interface GrantField {
  name: string;
  action: 'include' | 'mask';
  mask?: string;
}

export interface GrantCategory {
  name: string;
  fields: GrantField[];
}

/** What the broker authorises one agency to do for one query. */
export interface GrantClaims {
  queryId: string;
  caseRef: string;
  partnership: string;
  agency: string;
  purpose: string;
  legalGateways: string[];
  agreement: { id: string; version: number; hash: string };
  categories: GrantCategory[];
  requestedBy: { sub: string; role: string; partnership: string };
  /** Binds the grant to one subject: SHA-256 over the criteria and a nonce that travels only encrypted. */
  criteriaHash: string;
}

export interface VerifiedGrant extends GrantClaims {
  grantId: string;
  issuedAt: number;
  expiresAt: number;
}

/** Criteria travel encrypted with a random nonce; the hash in the grant cannot be brute-forced from Kafka. */
export interface SealedCriteria<T> {
  criteria: T;
  nonce: string;
}

export function sealCriteria<T>(criteria: T): SealedCriteria<T> {
  return { criteria, nonce: randomBytes(16).toString('base64url') };
}

export function criteriaHash<T>(sealed: SealedCriteria<T>): string {
  return canonicalHash({ criteria: sealed.criteria, nonce: sealed.nonce });
}

export async function signGrant(
  claims: GrantClaims,
  signer: LoadedKey,
  ttlSeconds: number,
): Promise<{ token: string; grantId: string }> {
  const { agency, ...rest } = claims;
  const sub = claims.requestedBy.sub;
  if (typeof agency !== 'string' || typeof sub !== 'string' || !Number.isFinite(ttlSeconds)) {
    throw new TypeError('a grant needs an agency, a requester and a finite lifetime');
  }
  const grantId = randomUUID();
  const iat = Math.floor(Date.now() / 1000);
  // The claims set SignJWT would build, in its member order, signed as a compact JWS: SignJWT
  // deep-copies the claims (structuredClone) for every grant, a copy nothing here needs.
  const payload = {
    mash: rest,
    iss: GRANT_ISSUER,
    aud: agency,
    sub,
    jti: grantId,
    iat,
    exp: iat + Math.round(ttlSeconds),
  };
  const token = await new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid, typ: GRANT_TYPE })
    .sign(signer.privateKey);
  return { token, grantId };
}

/** Verifies a grant's signature, audience, expiry and type. Replay and criteria checks are the caller's. */
export async function verifyGrant(
  token: string,
  brokerKeys: JWTVerifyGetKey,
  agency: string,
  clockToleranceSeconds = 5,
): Promise<VerifiedGrant> {
  try {
    const { payload } = await jwtVerify(token, brokerKeys, {
      algorithms: [SIGNING_ALG],
      issuer: GRANT_ISSUER,
      audience: agency,
      typ: GRANT_TYPE,
      requiredClaims: ['jti', 'exp', 'iat', 'sub'],
      clockTolerance: clockToleranceSeconds,
    });
    const mash = payload.mash as Omit<GrantClaims, 'agency'> | undefined;
    if (!mash || typeof mash.criteriaHash !== 'string' || !Array.isArray(mash.categories)) {
      throw new TrustError('GRANT.MALFORMED', 'grant lacks its claims');
    }
    return {
      ...mash,
      agency,
      grantId: payload.jti as string,
      issuedAt: payload.iat as number,
      expiresAt: payload.exp as number,
    };
  } catch (error) {
    if (error instanceof TrustError) throw error;
    if (error instanceof joseErrors.JWTExpired)
      throw new TrustError('GRANT.EXPIRED', 'grant has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed && error.claim === 'aud') {
      throw new TrustError('GRANT.WRONG_AUDIENCE', 'grant is for another agency');
    }
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      throw new TrustError('GRANT.INVALID_CLAIMS', `grant claim ${error.claim} is invalid`);
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) {
      throw new TrustError('GRANT.ALGORITHM_REFUSED', 'grant algorithm is not allowed');
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      throw new TrustError(
        'GRANT.UNKNOWN_KEY',
        'grant signed with a key the broker has not published',
      );
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      throw new TrustError('GRANT.BAD_SIGNATURE', 'grant signature does not verify');
    }
    throw new TrustError('GRANT.MALFORMED', 'grant is not a valid signed token');
  }
}
