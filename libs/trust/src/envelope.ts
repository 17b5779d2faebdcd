import { randomBytes, webcrypto } from 'node:crypto';
import {
  CompactEncrypt,
  CompactSign,
  compactDecrypt,
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type CryptoKey,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { CONTENT_ENC, ENCRYPTION_ALG, SIGNING_ALG, type LoadedKey, type ServiceKeys } from './keys';
import { TrustError } from './errors';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encrypts JSON to a recipient's public X25519 key (JWE compact, ECDH-ES + A256GCM). */
// Importing a JWK costs more than the encryption itself; recipients' keys are few and long-lived.
const importedRecipients = new Map<string, CryptoKey>();

async function recipientKey(recipient: JWK): Promise<CryptoKey> {
  const id = `${recipient.kid}:${recipient.x}`;
  let key = importedRecipients.get(id);
  if (!key) {
    key = (await importJWK(recipient, ENCRYPTION_ALG)) as CryptoKey;
    if (importedRecipients.size > 256) importedRecipients.clear();
    importedRecipients.set(id, key);
  }
  return key;
}

/**
 * Envelope v2 (see docs/keys.md, "Envelopes"): a JWE `alg: dir, enc: A256GCM` under a random
 * 256-bit session key, which travels in the protected header member `mash-sk` as an ordinary v1 JWE
 * (ECDH-ES + A256GCM) to the same recipient key. A sender reuses one session per recipient key for
 * SESSION_TTL_MS or SESSION_MAX_USES messages; a recipient unwraps each session once and caches it by
 * the wrapped key itself, so the two X25519 operations per message (ephemeral key, agreement) and
 * the ephemeral import happen once per session instead. A recipient announces that it reads v2 with
 * `"mash-env": 2` on its published encryption key; to any other key, senders keep sending v1.
 */
export const ENVELOPE_V2 = 2;
const SESSION_HEADER = 'mash-sk';
const SESSION_CTY = 'mash-session-key';
const SESSION_TTL_MS = 5 * 60_000;
const SESSION_MAX_USES = 100_000;
const SESSION_CACHE_MAX = 1024;

interface SenderSession {
  readonly key: CryptoKey;
  readonly wrapped: string;
  readonly expiresAt: number;
  uses: number;
}
const senderSessions = new Map<string, SenderSession>();

/** Whether a published encryption key says its holder reads envelope v2. */
export function acceptsEnvelopeV2(recipient: JWK): boolean {
  return (recipient as JWK & { 'mash-env'?: unknown })['mash-env'] === ENVELOPE_V2;
}

async function senderSession(recipient: JWK & { kid: string }): Promise<SenderSession> {
  const id = `${recipient.kid}:${recipient.x}`;
  const now = Date.now();
  const current = senderSessions.get(id);
  if (current && current.expiresAt > now && current.uses < SESSION_MAX_USES) return current;
  const raw = randomBytes(32);
  const wrapped = await new CompactEncrypt(raw)
    .setProtectedHeader({
      alg: ENCRYPTION_ALG,
      enc: CONTENT_ENC,
      kid: recipient.kid,
      cty: SESSION_CTY,
    })
    .encrypt(await recipientKey(recipient));
  const key = (await webcrypto.subtle.importKey('raw', raw, 'AES-GCM', false, [
    'encrypt',
  ])) as CryptoKey;
  raw.fill(0);
  const session: SenderSession = { key, wrapped, expiresAt: now + SESSION_TTL_MS, uses: 0 };
  if (senderSessions.size >= SESSION_CACHE_MAX) senderSessions.clear();
  senderSessions.set(id, session);
  return session;
}

export async function encryptFor(payload: unknown, recipient: JWK): Promise<string> {
  if (!recipient.kid) throw new TrustError('TRUST.NO_RECIPIENT_KEY', 'recipient key has no kid');
  const plaintext = encoder.encode(JSON.stringify(payload));
  if (acceptsEnvelopeV2(recipient)) {
    const session = await senderSession(recipient as JWK & { kid: string });
    session.uses += 1;
    return new CompactEncrypt(plaintext)
      .setProtectedHeader({
        alg: 'dir',
        enc: CONTENT_ENC,
        kid: recipient.kid,
        cty: 'json',
        [SESSION_HEADER]: session.wrapped,
      })
      .encrypt(session.key);
  }
  const key = await recipientKey(recipient);
  return new CompactEncrypt(plaintext)
    .setProtectedHeader({ alg: ENCRYPTION_ALG, enc: CONTENT_ENC, kid: recipient.kid, cty: 'json' })
    .encrypt(key);
}

/** Per service: unwrapped v2 session keys by their wrapped form (which names the recipient key). */
const receiverSessions = new WeakMap<ServiceKeys, Map<string, CryptoKey>>();

async function receiverSession(keys: ServiceKeys, privateKey: CryptoKey, wrapped: string) {
  let cache = receiverSessions.get(keys);
  if (!cache) receiverSessions.set(keys, (cache = new Map()));
  const known = cache.get(wrapped);
  if (known) return known;
  const { plaintext, protectedHeader } = await compactDecrypt(wrapped, privateKey, {
    keyManagementAlgorithms: [ENCRYPTION_ALG],
    contentEncryptionAlgorithms: [CONTENT_ENC],
  });
  if (protectedHeader.cty !== SESSION_CTY || plaintext.length !== 32) throw new Error('session');
  const key = (await webcrypto.subtle.importKey('raw', plaintext, 'AES-GCM', false, [
    'decrypt',
  ])) as CryptoKey;
  plaintext.fill(0);
  if (cache.size >= SESSION_CACHE_MAX) cache.clear();
  cache.set(wrapped, key);
  return key;
}

export async function decryptWith(jwe: string, keys: ServiceKeys): Promise<Uint8Array> {
  let kid: string | undefined;
  let wrapped: string | undefined;
  try {
    const header = decodeProtectedHeader(jwe);
    if (header.enc !== CONTENT_ENC) throw new Error('algorithm');
    if (header.alg === 'dir') {
      // v2: only ever with a session key wrapped to the same recipient key, never a bare `dir`.
      const sk = header[SESSION_HEADER];
      if (typeof sk !== 'string') throw new Error('no session key');
      const inner = decodeProtectedHeader(sk);
      if (
        inner.alg !== ENCRYPTION_ALG ||
        inner.enc !== CONTENT_ENC ||
        inner.cty !== SESSION_CTY ||
        inner.kid !== header.kid
      )
        throw new Error('session key');
      wrapped = sk;
    } else if (header.alg !== ENCRYPTION_ALG) throw new Error('algorithm');
    kid = header.kid;
  } catch {
    throw new TrustError('TRUST.MALFORMED', 'not a JWE this service accepts');
  }
  const key = keys.decryptionKey(kid);
  if (!key)
    throw new TrustError(
      'TRUST.UNKNOWN_RECIPIENT_KEY',
      'sealed to a key this service does not hold',
    );
  try {
    if (wrapped !== undefined) {
      const session = await receiverSession(keys, key.privateKey, wrapped);
      const { plaintext } = await compactDecrypt(jwe, session, {
        keyManagementAlgorithms: ['dir'],
        contentEncryptionAlgorithms: [CONTENT_ENC],
      });
      return plaintext;
    }
    const { plaintext } = await compactDecrypt(jwe, key.privateKey, {
      keyManagementAlgorithms: [ENCRYPTION_ALG],
      contentEncryptionAlgorithms: [CONTENT_ENC],
    });
    return plaintext;
  } catch {
    throw new TrustError('TRUST.DECRYPT_FAILED', 'could not decrypt');
  }
}

export async function decryptJson<T>(jwe: string, keys: ServiceKeys): Promise<T> {
  const bytes = await decryptWith(jwe, keys);
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch {
    throw new TrustError('TRUST.MALFORMED', 'decrypted payload is not JSON');
  }
}

/** Signs JSON with the sender's key, then encrypts the JWS to the recipient: sign-then-encrypt. */
export async function sealSigned(
  payload: unknown,
  signer: LoadedKey,
  recipient: JWK,
): Promise<string> {
  const jws = await new CompactSign(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: SIGNING_ALG, kid: signer.kid })
    .sign(signer.privateKey);
  return encryptFor({ jws }, recipient);
}

/** Decrypts and verifies a sealed message; `signerKeys` are the keys registered for the claimed sender. */
export async function openSigned<T>(
  jwe: string,
  keys: ServiceKeys,
  signerKeys: JWTVerifyGetKey,
): Promise<{ payload: T; signerKid: string | undefined }> {
  const inner = await decryptJson<{ jws?: unknown }>(jwe, keys);
  if (typeof inner.jws !== 'string') throw new TrustError('TRUST.MALFORMED', 'no signed content');
  try {
    const { payload, protectedHeader } = await compactVerify(inner.jws, signerKeys, {
      algorithms: [SIGNING_ALG],
    });
    return { payload: JSON.parse(decoder.decode(payload)) as T, signerKid: protectedHeader.kid };
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new TrustError('TRUST.MALFORMED', 'signed content is not JSON');
    throw new TrustError(
      'TRUST.BAD_SIGNATURE',
      "signature does not verify against the sender's registered keys",
    );
  }
}
