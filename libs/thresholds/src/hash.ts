import { createHash } from 'node:crypto';
import { canonicalJson } from '@mash/contracts';
import type { ThresholdMatrix } from './schema';

/**
 * Lowercase hex SHA-256 of the RFC 8785 canonical JSON of a matrix, version and date included: it
 * names exactly what was drafted and activated, as the audit log records it.
 */
export function thresholdMatrixHash(matrix: ThresholdMatrix): string {
  return createHash('sha256').update(canonicalJson(matrix), 'utf8').digest('hex');
}
