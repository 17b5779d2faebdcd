/**
 * Token forgery for the authentication tests: validly signed variants (with the development
 * issuer's own key, read from KEYS_DIR) and the classic attacks (alg none, key confusion,
 * injected key headers, tampered payloads, strangers' keys).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  SignJWT,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER } from '../../apps/broker/src/config/config';

export interface SigningKey {
  kid: string;
  alg: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

interface StoredRing {
  keys: Array<{ kid: string; use: string; status: string; privateJwk: JWK; publicJwk: JWK }>;
}

/** The development issuer's active signing key, as `npm run token` uses it. */
export async function devIssuerKey(keysDir: string): Promise<SigningKey> {
  const ring = JSON.parse(
    readFileSync(join(keysDir, 'dev-issuer.keys.json'), 'utf8'),
  ) as StoredRing;
  const active = ring.keys.find((k) => k.use === 'sig' && k.status === 'active');
  if (!active) throw new Error(`no active dev-issuer signing key in ${keysDir}`);
  const alg = active.publicJwk.alg ?? 'EdDSA';
  return {
    kid: active.kid,
    alg,
    privateKey: (await importJWK(active.privateJwk, alg)) as CryptoKey,
    publicJwk: active.publicJwk,
  };
}

/** A key pair nobody trusts. */
export async function strangerKey(
  alg: 'EdDSA' | 'RS256' | 'ES256' = 'EdDSA',
  kid = `stranger-${randomUUID()}`,
): Promise<SigningKey> {
  const pair = await generateKeyPair(alg, { extractable: true });
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    publicJwk: { ...(await exportJWK(pair.publicKey)), kid, alg },
  };
}

/** The public half of a key as PEM text: what a key-confusion attacker uses as an HMAC secret. */
export async function publicPem(key: SigningKey): Promise<string> {
  const publicKey = (await importJWK(key.publicJwk, key.alg)) as CryptoKey;
  return exportSPKI(publicKey);
}

export interface Claims extends JWTPayload {
  roles?: unknown;
  partnership?: unknown;
}

/** Claims a broker in dev mode accepts: right issuer and audience, fresh, an hour to live. */
export function goodClaims(extra: Claims = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: DEV_ISSUER,
    aud: DEV_AUDIENCE,
    sub: 'attacker-test',
    iat: now,
    exp: now + 3600,
    jti: randomUUID(),
    roles: ['analyst'],
    partnership: 'demo',
    ...extra,
  };
}

/** Removes claims (e.g. `aud`) from a claim set. */
export function without(claims: Claims, ...names: string[]): Claims {
  const copy: Claims = { ...claims };
  for (const name of names) delete copy[name];
  return copy;
}

/** Signs exactly the given claims and header fields with `key` (no defaults added by jose). */
export async function sign(
  key: SigningKey,
  claims: Claims,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey);
}

function b64url(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString(
    'base64url',
  );
}

/** `alg: none`: a header, the claims and an empty signature. */
export function unsigned(claims: Claims, kid?: string): string {
  return `${b64url({ alg: 'none', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64url(claims)}.`;
}

/** HS256 with `secret` as the HMAC key: the key-confusion attack when the secret is a public key. */
export function hmacSigned(claims: Claims, secret: string | Buffer, kid?: string): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', ...(kid ? { kid } : {}) })}.${b64url(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** Swaps a signed token's payload for `claims`, keeping the original header and signature. */
export function withPayload(token: string, claims: Claims): string {
  const [header, , signature] = token.split('.');
  return `${header}.${b64url(claims)}.${signature}`;
}
