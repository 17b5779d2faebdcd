import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** A temporary name beside `path`, unique across processes and hosts sharing the directory. */
function tempName(path: string): string {
  return `${path}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Replaces `path` whole (write, then rename): a reader never sees half a file. */
export function writeFileAtomically(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempName(path);
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * Creates `path` with `content` only if nothing is there yet, atomically: the content is written
 * whole to a temporary file, then hard-linked into place, which fails if the name exists (on a
 * local disk and on NFS alike). Of several processes racing to create a key, exactly one wins;
 * the others get false and must read the winner's file.
 */
export function createFileOnce(path: string, content: string): boolean {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempName(path);
  writeFileSync(tmp, content, { mode: 0o600 });
  try {
    linkSync(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    unlinkSync(tmp);
  }
}
