import { createHmac, randomBytes, type JsonWebKey } from 'node:crypto';
import type { JSONWebKeySet } from 'jose';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EnvelopeCipher,
  FileKeyProvider,
  FileKeyRingStore,
  ServiceKeys,
  createFileOnce,
  writeFileAtomically,
  type KeyRing,
} from '@mash/trust';
import type { BrokerConfig } from '../config/config';

export const BROKER_SERVICE = 'broker';
export const DEV_ISSUER_SERVICE = 'dev-issuer';
export const AUDIT_SERVICE = 'audit-checkpoint';

/** The broker's keys, loaded once at boot: signing/encryption, at-rest, audit and (dev) token issuer. */
export class BrokerKeys {
  private constructor(
    readonly broker: ServiceKeys,
    readonly devIssuer: ServiceKeys | undefined,
    readonly auditRing: KeyRing,
    readonly cipher: EnvelopeCipher,
    private readonly pseudonymMaster: Buffer,
  ) {}

  static async load(config: BrokerConfig): Promise<BrokerKeys> {
    const store = new FileKeyRingStore(config.keysDir);
    const broker = await ServiceKeys.fromRing(await store.loadOrCreate(BROKER_SERVICE));
    const devIssuer =
      config.auth.mode === 'dev'
        ? await ServiceKeys.fromRing(await store.loadOrCreate(DEV_ISSUER_SERVICE))
        : undefined;
    const auditRing = await store.loadOrCreate(AUDIT_SERVICE);
    // Published beside the checkpoint file so `npm run audit -- verify` works without the broker.
    writeFileAtomically(
      join(config.keysDir, `${AUDIT_SERVICE}.public.json`),
      JSON.stringify(checkpointVerificationJwks(auditRing), null, 2),
    );
    const cipher = new EnvelopeCipher(new FileKeyProvider(join(config.keysDir, 'broker-kek.json')));
    const pseudonymFile = join(config.keysDir, 'audit-pseudonym.key');
    // Created once, like every key here: instances sharing KEYS_DIR all read the winner's.
    if (!existsSync(pseudonymFile))
      createFileOnce(pseudonymFile, randomBytes(32).toString('base64'));
    const master = Buffer.from(readFileSync(pseudonymFile, 'utf8').trim(), 'base64');
    return new BrokerKeys(broker, devIssuer, auditRing, cipher, master);
  }

  /** Each partnership gets its own pseudonymisation key, so tokens do not link across partnerships. */
  pseudonymKey(partnership: string): Buffer {
    return createHmac('sha256', this.pseudonymMaster).update(`pseudonym:${partnership}`).digest();
  }

  /** Every checkpoint key's public half, retired ones included (see `checkpointVerificationJwks`). */
  auditVerificationJwks(): JSONWebKeySet {
    return checkpointVerificationJwks(this.auditRing);
  }

  auditSigningKey(): { kid: string; privateKey: JsonWebKey } {
    const active = this.auditRing.keys.find((k) => k.use === 'sig' && k.status === 'active');
    if (!active) throw new Error('no active audit checkpoint key');
    return { kid: active.kid, privateKey: active.privateJwk as JsonWebKey };
  }
}

/**
 * A checkpoint states what the chain was when it was signed; retiring its key after a rotation
 * does not make that statement false, so verification keeps every public half the ring has ever
 * had (retirement destroys only the private half). Without them, each old checkpoint would read
 * as a forgery after the documented rotate-then-retire.
 */
export function checkpointVerificationJwks(ring: KeyRing): JSONWebKeySet {
  return { keys: ring.keys.filter((k) => k.use === 'sig').map((k) => k.publicJwk) };
}
