import type { ActorType, AuditEntry, Outcome } from './types';

/**
 * Column list that reads an entry back exactly as it was hashed (timestamps as ISO text, ids as
 * text). `alias` qualifies the columns, `prefix` renames the outputs (`<prefix>seq`…) for joins.
 */
export function entryColumns(alias = '', prefix = ''): string {
  const a = alias === '' ? '' : `${alias}.`;
  const plain = [
    'chain_id',
    'partnership',
    'actor_type',
    'actor_id',
    'actor_role',
    'action',
    'outcome',
    'case_id',
    'query_id',
    'agency',
    'subject_pseudonyms',
    'correlation_id',
    'details',
    'prev_hash',
    'hash',
  ];
  return [
    `${a}seq::text AS ${prefix}seq`,
    `${a}chain_seq::text AS ${prefix}chain_seq`,
    `to_char(${a}occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS ${prefix}occurred_at`,
    ...plain.map((c) => `${a}${c} AS ${prefix}${c}`),
  ].join(', ');
}

export const ENTRY_COLUMNS = entryColumns();

export interface EntryRow {
  seq: string;
  chain_id: string;
  chain_seq: string;
  occurred_at: string;
  partnership: string | null;
  actor_type: string;
  actor_id: string;
  actor_role: string | null;
  action: string;
  outcome: string;
  case_id: string | null;
  query_id: string | null;
  agency: string | null;
  subject_pseudonyms: string[] | string;
  correlation_id: string | null;
  details: Record<string, unknown> | string;
  prev_hash: string;
  hash: string;
}

export function entryFromRow(r: EntryRow): AuditEntry {
  return {
    seq: Number(r.seq),
    chainId: r.chain_id,
    chainSeq: Number(r.chain_seq),
    occurredAt: r.occurred_at,
    partnership: r.partnership,
    actorType: r.actor_type as ActorType,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    action: r.action,
    outcome: r.outcome as Outcome,
    caseId: r.case_id,
    queryId: r.query_id,
    agency: r.agency,
    subjectPseudonyms: parseTextArray(r.subject_pseudonyms),
    correlationId: r.correlation_id,
    details:
      typeof r.details === 'string'
        ? (JSON.parse(r.details) as Record<string, unknown>)
        : r.details,
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}

/** pg parses text[] already; other drivers may hand back the `{a,b}` literal (our tokens never need quoting). */
function parseTextArray(v: string[] | string): string[] {
  if (Array.isArray(v)) return v;
  const inner = v.slice(1, -1);
  return inner === '' ? [] : inner.split(',').map((s) => s.replace(/^"|"$/g, ''));
}
