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

export async function encryptFor(payload: unknown, recipient: JWK): Promise<string> {
  if (!recipient.kid) throw new TrustError('TRUST.NO_RECIPIENT_KEY', 'recipient key has no kid');
  const key = await recipientKey(recipient);
  return new CompactEncrypt(encoder.encode(JSON.stringify(payload)))
    .setProtectedHeader({ alg: ENCRYPTION_ALG, enc: CONTENT_ENC, kid: recipient.kid, cty: 'json' })
    .encrypt(key);
}

export async function decryptWith(jwe: string, keys: ServiceKeys): Promise<Uint8Array> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jwe);
    if (header.alg !== ENCRYPTION_ALG || header.enc !== CONTENT_ENC) throw new Error('algorithm');
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
