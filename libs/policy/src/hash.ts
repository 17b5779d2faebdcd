import { createHash } from 'node:crypto';
import type { AgreementVersion } from './agreement';
import { canonicalJson } from '@mash/contracts';

/**
 * Fields left out of the content hash: the version's identity (`id`, `version`) and its approval
 * state (`status`, `signatories`), which change as an agreement is signed, activated, suspended or
 * expired without changing what was agreed. Everything else — partnership, agency, title, gateways,
 * consent rule, retention, purposes with their categories, fields and thresholds, and the
 * effective/review dates — is hashed, so two versions with the same hash agree the same sharing.
 */
export const UNHASHED_AGREEMENT_FIELDS = ['id', 'version', 'status', 'signatories'] as const;

export type AgreementContent = Omit<AgreementVersion, (typeof UNHASHED_AGREEMENT_FIELDS)[number]>;

export function agreementContent(agreement: AgreementVersion): AgreementContent {
  const {
    id: _id,
    version: _version,
    status: _status,
    signatories: _signatories,
    ...content
  } = agreement;
  return content;
}

/** Lowercase hex SHA-256 of the RFC 8785 canonical JSON of the agreement's content (see UNHASHED_AGREEMENT_FIELDS). */
export function agreementHash(agreement: AgreementVersion): string {
  return createHash('sha256')
    .update(canonicalJson(agreementContent(agreement)), 'utf8')
    .digest('hex');
}
