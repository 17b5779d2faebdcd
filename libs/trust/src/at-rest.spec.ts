import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EnvelopeCipher, FileKeyProvider } from './at-rest';

describe(FileKeyProvider.name, () => {
  let dir: string;
  let file: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mash-kek-'));
    file = join(dir, 'broker-kek.json');
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('opens values sealed before a key rotation, seals new ones with the new key, and survives a restart', async () => {
    const sut = new FileKeyProvider(file);
    const cipher = new EnvelopeCipher(sut);
    const old = await cipher.seal({ records: [1, 2] });
    const oldKey = sut.currentKeyId;

    const rotated = sut.rotate();
    expect(rotated).not.toBe(oldKey);
    const fresh = await cipher.seal({ records: [3] });
    expect(fresh.split('.')[1]).toBe(rotated);

    const restarted = new EnvelopeCipher(new FileKeyProvider(file));
    expect(await restarted.open(old)).toEqual({ records: [1, 2] });
    expect(await restarted.open(fresh)).toEqual({ records: [3] });
    expect(new FileKeyProvider(file).listKeyIds()).toEqual([oldKey, rotated]);
  });

  it('refuses a value sealed under a key it does not hold, or altered', async () => {
    const cipher = new EnvelopeCipher(new FileKeyProvider(file));
    const sealed = await cipher.seal({ a: 1 });
    const other = new EnvelopeCipher(new FileKeyProvider(join(dir, 'other.json')));
    await expect(other.open(sealed)).rejects.toMatchObject({ code: 'AT_REST.UNKNOWN_KEY' });
    const parts = sealed.split('.');
    const ct = Buffer.from(parts[3], 'base64url');
    ct[ct.length - 1] ^= 1;
    parts[3] = ct.toString('base64url');
    await expect(cipher.open(parts.join('.'))).rejects.toMatchObject({
      code: 'AT_REST.DECRYPT_FAILED',
    });
    expect(readFileSync(file, 'utf8')).not.toContain('"a"');
  });

  it('refuses a GCM tag cut to 4 bytes (a forgery would need only 2^32 guesses)', async () => {
    const sut = new FileKeyProvider(file);
    const kek = JSON.parse(readFileSync(file, 'utf8')) as { keys: Record<string, string> };
    const key = Buffer.from(kek.keys[sut.currentKeyId], 'base64');
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.final();
    const truncated = Buffer.concat([iv, cipher.getAuthTag().subarray(0, 4)]);
    await expect(sut.unwrap(sut.currentKeyId, truncated)).rejects.toMatchObject({
      code: 'AT_REST.MALFORMED',
    });
  });
});
