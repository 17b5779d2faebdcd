import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { AuditEntryBody } from './types';

/** `prev_hash` of the first entry of every chain: 32 zero bytes, hex. */
export const GENESIS_PREV_HASH = '0'.repeat(64);

/**
 * The canonical form of an entry: RFC 8785 JSON of every field except `seq` and `hash`,
 * with camelCase names, absent values as `null`, `subjectPseudonyms` as an array and
 * `details` as an object (both possibly empty).
 */
export function canonicalForm(body: AuditEntryBody): string {
  return canonicalJson({
    action: body.action,
    actorId: body.actorId,
    actorRole: body.actorRole,
    actorType: body.actorType,
    agency: body.agency,
    caseId: body.caseId,
    chainId: body.chainId,
    chainSeq: body.chainSeq,
    correlationId: body.correlationId,
    details: body.details,
    occurredAt: body.occurredAt,
    outcome: body.outcome,
    partnership: body.partnership,
    prevHash: body.prevHash,
    queryId: body.queryId,
    subjectPseudonyms: body.subjectPseudonyms,
  });
}

/**
 * `hash = hex( SHA-256( bytes(prevHash) || UTF-8(canonicalForm(body)) ) )` where `bytes(prevHash)`
 * is the 32 raw bytes the 64-character hex `prevHash` encodes.
 */
export function entryHash(body: AuditEntryBody): string {
  return createHash('sha256').update(Buffer.from(body.prevHash, 'hex')).update(canonicalForm(body), 'utf8').digest('hex');
}

export function isHexHash(value: unknown): value is string {
  return typeof value === 'string' && /^[0-9a-f]{64}$/.test(value);
}
