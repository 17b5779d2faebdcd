import { hash } from 'node:crypto';
import { canonicalJson } from '@mash/contracts';
import type { AuditEntryBody } from './types';

/** `prev_hash` of the first entry of every chain: 32 zero bytes, hex. */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/**
 * The canonical form of an entry: RFC 8785 JSON of every field except `seq` and `hash`,
 * with camelCase names, absent values as `null`, `subjectPseudonyms` as an array and
 * `details` as an object (both possibly empty). Same output as
 * `canonicalJson(canonicalObject(body))`, built by hand because verification runs it a million
 * times: the member names are fixed and already in RFC 8785 order.
 */
export function canonicalForm(b: AuditEntryBody): string {
  return (
    `{"action":${str(b.action)},"actorId":${str(b.actorId)},"actorRole":${nstr(b.actorRole)},"actorType":${str(b.actorType)}` +
    `,"agency":${nstr(b.agency)},"caseId":${nstr(b.caseId)},"chainId":${str(b.chainId)},"chainSeq":${num(b.chainSeq)}` +
    `,"correlationId":${nstr(b.correlationId)},"details":${canonicalJson(b.details)},"occurredAt":${str(b.occurredAt)}` +
    `,"outcome":${str(b.outcome)},"partnership":${nstr(b.partnership)},"prevHash":${str(b.prevHash)},"queryId":${nstr(b.queryId)}` +
    `,"subjectPseudonyms":${canonicalJson(b.subjectPseudonyms)}}`
  );
}

/** The object whose RFC 8785 serialisation is the canonical form (the slow, obviously-right path). */
export function canonicalObject(b: AuditEntryBody): Record<string, unknown> {
  return {
    action: b.action,
    actorId: b.actorId,
    actorRole: b.actorRole,
    actorType: b.actorType,
    agency: b.agency,
    caseId: b.caseId,
    chainId: b.chainId,
    chainSeq: b.chainSeq,
    correlationId: b.correlationId,
    details: b.details,
    occurredAt: b.occurredAt,
    outcome: b.outcome,
    partnership: b.partnership,
    prevHash: b.prevHash,
    queryId: b.queryId,
    subjectPseudonyms: b.subjectPseudonyms,
  };
}

const SURROGATE = /[\uD800-\uDFFF]/;

function str(s: string): string {
  // Rare path: let canonicalJson decide whether the surrogates are paired (it throws on lone ones).
  return SURROGATE.test(s) ? canonicalJson(s) : JSON.stringify(s);
}

function nstr(s: string | null): string {
  return s === null ? 'null' : str(s);
}

function num(n: number): string {
  if (!Number.isFinite(n)) throw new TypeError('non-finite numbers cannot be canonicalised');
  return JSON.stringify(n);
}

/**
 * `hash = hex( SHA-256( bytes(prevHash) || UTF-8(canonicalForm(body)) ) )` where `bytes(prevHash)`
 * is the 32 raw bytes the 64-character hex `prevHash` encodes.
 */
export function entryHash(body: AuditEntryBody): string {
  const canonical = canonicalForm(body);
  // One-shot hash over a reused scratch buffer: per-entry createHash() objects cost more than the
  // SHA-256 itself when verifying a million entries.
  const needed = 32 + canonical.length * 3;
  if (scratch.length < needed) scratch = Buffer.allocUnsafe(Math.max(needed, scratch.length * 2));
  if (scratch.write(body.prevHash, 0, 'hex') !== 32)
    throw new TypeError('prevHash must be 64 hex characters');
  const written = scratch.write(canonical, 32, 'utf8');
  return hash('sha256', scratch.subarray(0, 32 + written), 'hex');
}

let scratch = Buffer.allocUnsafe(64 * 1024);

export function isHexHash(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}

/**
 * `content_hash` of an unsequenced entry (`audit_pending`): `entryHash` with position 0 and the
 * genesis `prevHash`. Position 0 never occurs on a chain (positions start at 1), so it can never
 * equal a sequenced entry's hash. It lets the sequencer refuse, and the verifier name, a row edited
 * while it waited for a position.
 */
export function unsequencedHash(body: Omit<AuditEntryBody, 'chainSeq' | 'prevHash'>): string {
  return entryHash({ ...body, chainSeq: 0, prevHash: GENESIS_PREV_HASH });
}
