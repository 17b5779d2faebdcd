import { createHash } from 'node:crypto';
import { canonicalJson } from '@mash/contracts';

/** SHA-256 (base64url) of the RFC 8785 canonical JSON of a value. */
export function canonicalHash(value: unknown): string {
  const canonical = canonicalJson(value);
  return createHash('sha256').update(canonical).digest('base64url');
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('base64url');
}
