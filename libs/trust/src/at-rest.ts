import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { TrustError } from './errors';
import { createFileOnce, writeFileAtomically } from './files';

/**
 * Wraps and unwraps data keys with a key-encryption key the service never sees in clear when a
 * cloud KMS or HSM implements it (AWS KMS Encrypt/Decrypt, Azure Key Vault wrapKey/unwrapKey,
 * Google Cloud KMS, PKCS#11). The file provider below is for development only.
 */
export interface KeyProvider {
  /** The id of the key new data keys are wrapped with. */
  readonly currentKeyId: string;
  wrap(dataKey: Buffer): Promise<{ keyId: string; wrapped: Buffer }>;
  unwrap(keyId: string, wrapped: Buffer): Promise<Buffer>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;

function gcmEncrypt(key: Buffer, plaintext: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ct]);
}

/**
 * The tag length is pinned: without `authTagLength` Node accepts any tag from 4 bytes up, so a
 * value cut short after a 4-byte tag would need only 2^32 guesses to forge.
 */
function gcmDecrypt(key: Buffer, sealed: Buffer): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES)
    throw new TrustError('AT_REST.MALFORMED', 'sealed value is too short');
  const iv = sealed.subarray(0, IV_BYTES);
  const tag = sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

interface KekFile {
  current: string;
  keys: Record<string, string>;
}

/** Development key-encryption keys in a 0600 file; rotation adds a key and keeps old ones to unwrap. */
export class FileKeyProvider implements KeyProvider {
  private file: KekFile;

  constructor(private readonly path: string) {
    if (!existsSync(path)) {
      // Created once: of several instances starting together on a shared directory, one
      // writes the key and every other reads it, so all seal with the same key.
      const id = `kek-${randomBytes(6).toString('hex')}`;
      createFileOnce(
        path,
        JSON.stringify(
          { current: id, keys: { [id]: randomBytes(32).toString('base64') } },
          null,
          2,
        ),
      );
    }
    this.file = JSON.parse(readFileSync(path, 'utf8')) as KekFile;
  }

  get currentKeyId(): string {
    return this.file.current;
  }

  rotate(): string {
    const id = `kek-${randomBytes(6).toString('hex')}`;
    this.file.keys[id] = randomBytes(32).toString('base64');
    this.file.current = id;
    this.save();
    return id;
  }

  listKeyIds(): string[] {
    return Object.keys(this.file.keys);
  }

  private save(): void {
    writeFileAtomically(this.path, JSON.stringify(this.file, null, 2));
  }

  private key(id: string): Buffer {
    const b64 = this.file.keys[id];
    if (!b64)
      throw new TrustError(
        'AT_REST.UNKNOWN_KEY',
        'data was sealed with a key this service does not hold',
      );
    return Buffer.from(b64, 'base64');
  }

  async wrap(dataKey: Buffer): Promise<{ keyId: string; wrapped: Buffer }> {
    return { keyId: this.file.current, wrapped: gcmEncrypt(this.key(this.file.current), dataKey) };
  }

  async unwrap(keyId: string, wrapped: Buffer): Promise<Buffer> {
    return gcmDecrypt(this.key(keyId), wrapped);
  }
}

/**
 * Envelope encryption for data at rest: a fresh AES-256-GCM data key per value, wrapped by the
 * key provider. Format: `env1.<keyId>.<wrapped data key>.<ciphertext>` (base64url parts).
 */
export class EnvelopeCipher {
  constructor(private readonly provider: KeyProvider) {}

  async seal(value: unknown): Promise<string> {
    const dataKey = randomBytes(32);
    const { keyId, wrapped } = await this.provider.wrap(dataKey);
    const ct = gcmEncrypt(dataKey, Buffer.from(JSON.stringify(value), 'utf8'));
    return ['env1', keyId, wrapped.toString('base64url'), ct.toString('base64url')].join('.');
  }

  async open<T>(sealed: string): Promise<T> {
    const [version, keyId, wrapped, ct] = sealed.split('.');
    if (version !== 'env1' || !keyId || !wrapped || !ct)
      throw new TrustError('AT_REST.MALFORMED', 'not a sealed value');
    try {
      const dataKey = await this.provider.unwrap(keyId, Buffer.from(wrapped, 'base64url'));
      return JSON.parse(gcmDecrypt(dataKey, Buffer.from(ct, 'base64url')).toString('utf8')) as T;
    } catch (error) {
      if (error instanceof TrustError) throw error;
      throw new TrustError('AT_REST.DECRYPT_FAILED', 'sealed value could not be opened');
    }
  }
}
