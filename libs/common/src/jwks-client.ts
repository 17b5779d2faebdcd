import { createLocalJWKSet, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';

export interface JwksClientOptions {
  /** How long a fetched key set is used before it is fetched again. */
  cacheMs?: number;
  /** The least time between two fetches, so an unknown `kid` cannot make us hammer the issuer. */
  cooldownMs?: number;
  timeoutMs?: number;
}

/**
 * Fetches and caches a JWKS. Unknown `kid`s trigger a refresh at most once per cooldown.
 * Serves both signature verification (`getKey`) and encryption key lookup (`encryptionKey`).
 */
export class JwksClient {
  private keys: JSONWebKeySet | undefined;
  /** jose caches imported keys inside a local set, so it is built once per fetched key set. */
  private localSet: { keys: JSONWebKeySet; getKey: JWTVerifyGetKey } | undefined;
  private fetchedAt = 0;
  private inflight: Promise<JSONWebKeySet> | undefined;
  private readonly cacheMs: number;
  private readonly cooldownMs: number;
  private readonly timeoutMs: number;
  fetchCount = 0;

  constructor(
    readonly url: string,
    options: JwksClientOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? 10 * 60_000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
  }

  async get(): Promise<JSONWebKeySet> {
    if (this.keys && Date.now() - this.fetchedAt < this.cacheMs) return this.keys;
    return this.fetch();
  }

  /** Refetches unless the last fetch is within the cooldown; returns whether it fetched. */
  async refresh(): Promise<boolean> {
    if (Date.now() - this.fetchedAt < this.cooldownMs) return false;
    await this.fetch();
    return true;
  }

  private async fetch(): Promise<JSONWebKeySet> {
    this.inflight ??= (async () => {
      try {
        const res = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
        if (!res.ok) throw new Error(`JWKS fetch answered ${res.status}`);
        const body = (await res.json()) as JSONWebKeySet;
        if (!Array.isArray(body.keys)) throw new Error('JWKS has no keys');
        this.fetchCount += 1;
        this.keys = body;
        this.fetchedAt = Date.now();
        return body;
      } finally {
        this.inflight = undefined;
      }
    })();
    return this.inflight;
  }

  private async find(predicate: (k: JWK) => boolean): Promise<JWK | undefined> {
    const first = (await this.get()).keys.find(predicate);
    if (first) return first;
    if (await this.refresh()) return this.keys?.keys.find(predicate);
    return undefined;
  }

  /** A jose key getter: looks the `kid` up, refreshing once (within the cooldown) when unknown. */
  readonly getKey: JWTVerifyGetKey = async (header, token) => {
    const kid = header.kid;
    if (kid) await this.find((k) => k.kid === kid);
    const keys = await this.get();
    if (this.localSet?.keys !== keys) this.localSet = { keys, getKey: createLocalJWKSet(keys) };
    return this.localSet.getKey(header, token);
  };

  async encryptionKey(): Promise<JWK> {
    const key = await this.find((k) => k.use === 'enc');
    if (!key) throw new Error('no encryption key published');
    const all = (await this.get()).keys.filter((k) => k.use === 'enc');
    return all[all.length - 1];
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Key sets decide whom we trust, so they are fetched over TLS. Plain `http` is allowed only to
 * a loopback address, where the bytes never leave the machine (local runs and tests).
 */
export function isSecureJwksUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === 'https:') return true;
  return parsed.protocol === 'http:' && LOOPBACK.has(parsed.hostname);
}
