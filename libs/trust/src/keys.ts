import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TrustError } from './errors';
import { createFileOnce, writeFileAtomically } from './files';
import {
  exportJWK,
  generateKeyPair,
  importJWK,
  type CryptoKey,
  type JWK,
  type JSONWebKeySet,
} from 'jose';

export type KeyUse = 'sig' | 'enc';
export type KeyStatus = 'active' | 'retiring' | 'retired';

export const SIGNING_ALG = 'EdDSA';
export const ENCRYPTION_ALG = 'ECDH-ES';
export const CONTENT_ENC = 'A256GCM';

/** A stored key pair. `retiring` keys still verify and decrypt (the overlap window) but never sign. */
export interface StoredKey {
  kid: string;
  use: KeyUse;
  status: KeyStatus;
  createdAt: string;
  retiringAt?: string;
  retiredAt?: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export interface KeyRing {
  service: string;
  keys: StoredKey[];
}

export interface LoadedKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function newKey(use: KeyUse): Promise<StoredKey> {
  const pair =
    use === 'sig'
      ? await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true })
      : await generateKeyPair(ENCRYPTION_ALG, { crv: 'X25519', extractable: true });
  const kid = `${use}-${randomUUID()}`;
  const alg = use === 'sig' ? SIGNING_ALG : ENCRYPTION_ALG;
  const privateJwk = { ...(await exportJWK(pair.privateKey)), kid, use, alg };
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, use, alg };
  return { kid, use, status: 'active', createdAt: new Date().toISOString(), privateJwk, publicJwk };
}

/**
 * File-based key ring for development: `<dir>/<service>.keys.json` (private, mode 0600).
 * Production deployments put private keys in a KMS or HSM behind the same shape.
 */
export class FileKeyRingStore {
  constructor(private readonly dir: string) {}

  /** Services with a key ring in the directory, from the file names. */
  services(): string[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir)
      .filter((f) => f.endsWith('.keys.json'))
      .map((f) => f.slice(0, -'.keys.json'.length))
      .sort();
  }

  path(service: string): string {
    return join(this.dir, `${service}.keys.json`);
  }

  read(service: string): KeyRing | undefined {
    const file = this.path(service);
    if (!existsSync(file)) return undefined;
    return JSON.parse(readFileSync(file, 'utf8')) as KeyRing;
  }

  write(ring: KeyRing): void {
    // Write then rename so a crash never leaves a half-written key file.
    writeFileAtomically(this.path(ring.service), JSON.stringify(ring, null, 2));
  }

  /**
   * The service's ring, created on first use. Several instances starting together on a shared
   * directory end with one ring: creation is create-if-absent (`createFileOnce`), and a loser
   * reads the winner's.
   */
  async loadOrCreate(service: string): Promise<KeyRing> {
    const existing = this.read(service);
    if (existing && activeOf(existing, 'sig') && activeOf(existing, 'enc')) return existing;
    if (!existing) {
      const ring: KeyRing = { service, keys: [await newKey('sig'), await newKey('enc')] };
      if (createFileOnce(this.path(service), JSON.stringify(ring, null, 2))) return ring;
      return this.loadOrCreate(service);
    }
    const ring: KeyRing = existing;
    if (!activeOf(ring, 'sig')) ring.keys.push(await newKey('sig'));
    if (!activeOf(ring, 'enc')) ring.keys.push(await newKey('enc'));
    this.write(ring);
    return ring;
  }

  /** Adds a new active key of `use`; the previous active one becomes `retiring` (still verifies). */
  async rotate(service: string, use: KeyUse): Promise<StoredKey> {
    const ring = await this.loadOrCreate(service);
    const now = new Date().toISOString();
    for (const key of ring.keys) {
      if (key.use === use && key.status === 'active') {
        key.status = 'retiring';
        key.retiringAt = now;
      }
    }
    const fresh = await newKey(use);
    ring.keys.push(fresh);
    this.write(ring);
    return fresh;
  }

  /** Retires a key: it is no longer published, so nothing signed or sealed with it is accepted. */
  retire(service: string, kid: string): StoredKey {
    const ring = this.read(service);
    const key = ring?.keys.find((k) => k.kid === kid);
    if (!ring || !key) throw new TrustError('KEYS.UNKNOWN_KEY', `${service} has no key ${kid}`);
    if (key.status === 'active')
      throw new TrustError('KEYS.ACTIVE_KEY', 'rotate before retiring the active key');
    if (key.status === 'retired')
      throw new TrustError('KEYS.ALREADY_RETIRED', `${kid} is already retired`);
    key.status = 'retired';
    key.retiredAt = new Date().toISOString();
    // Private material of a retired key is destroyed.
    key.privateJwk = { kid: key.kid };
    this.write(ring);
    return key;
  }
}

export function activeOf(ring: KeyRing, use: KeyUse): StoredKey | undefined {
  return ring.keys.find((k) => k.use === use && k.status === 'active');
}

/**
 * The public JWKS a service publishes: active and retiring keys, never retired ones. Encryption
 * keys say `"mash-env": 2`: this service reads envelope v2 (see `encryptFor`).
 */
export function publicJwks(ring: KeyRing): JSONWebKeySet {
  return {
    keys: ring.keys
      .filter((k) => k.status !== 'retired')
      .map((k) => (k.use === 'enc' ? { ...k.publicJwk, 'mash-env': 2 } : k.publicJwk)),
  };
}

export async function loadKey(stored: StoredKey): Promise<LoadedKey> {
  const alg = stored.use === 'sig' ? SIGNING_ALG : ENCRYPTION_ALG;
  const privateKey = (await importJWK(stored.privateJwk, alg)) as CryptoKey;
  return { kid: stored.kid, privateKey, publicJwk: stored.publicJwk };
}

/** Loaded keys of one service: the active signing key, and every usable decryption key by kid. */
export class ServiceKeys {
  private constructor(
    readonly service: string,
    readonly signing: LoadedKey,
    private readonly decryption: Map<string, LoadedKey>,
    readonly jwks: JSONWebKeySet,
  ) {}

  static async fromRing(ring: KeyRing): Promise<ServiceKeys> {
    const sig = activeOf(ring, 'sig');
    if (!sig) throw new Error(`${ring.service} has no active signing key`);
    const dec = new Map<string, LoadedKey>();
    for (const key of ring.keys) {
      if (key.use === 'enc' && key.status !== 'retired') dec.set(key.kid, await loadKey(key));
    }
    return new ServiceKeys(ring.service, await loadKey(sig), dec, publicJwks(ring));
  }

  decryptionKey(kid: string | undefined): LoadedKey | undefined {
    return kid ? this.decryption.get(kid) : undefined;
  }

  encryptionJwk(): JWK {
    const enc = this.jwks.keys.filter((k) => k.use === 'enc');
    return enc[enc.length - 1];
  }
}
