import { z } from 'zod';

export const ACTOR_TYPES = ['user', 'service', 'agency'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

export const OUTCOMES = ['success', 'failure', 'permit', 'deny'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Events with no partnership go on this chain. */
export const SYSTEM_CHAIN_ID = 'system';

const shortText = z.string().min(1).max(200);

/** What a caller hands to `AuditLog.append`. Never put names, dates of birth or identifiers in here. */
export const AuditEventInputSchema = z
  .object({
    /** When it happened; defaults to now. Stored to the millisecond. */
    occurredAt: z.union([z.date(), z.iso.datetime({ offset: true })]).optional(),
    /** The MASH partnership (tenant). Absent for system events, which go on the `system` chain. */
    partnership: shortText.nullish(),
    actorType: z.enum(ACTOR_TYPES),
    actorId: shortText,
    actorRole: shortText.nullish(),
    /** Dotted lower-case verb phrase: `query.dispatched`, `auth.failed`, `policy.decision`. */
    action: z
      .string()
      .max(100)
      .regex(
        /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/,
        'expected a dotted action such as query.dispatched',
      ),
    outcome: z.enum(OUTCOMES),
    caseId: shortText.nullish(),
    queryId: shortText.nullish(),
    agency: shortText.nullish(),
    /** Tokens from `subjectPseudonym(...).tokens`; an auditor can search by any of them. */
    subjectPseudonyms: z
      .array(z.string().regex(/^[0-9a-f]{64}$/, 'expected pseudonym tokens'))
      .max(8)
      .optional(),
    correlationId: shortText.nullish(),
    /** Free-form context (policy reasons, purpose…). Must be JSON; no personal data. */
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type AuditEventInput = z.input<typeof AuditEventInputSchema>;

/** The hashed fields of an entry, in the shape that is canonicalised. */
export interface AuditEntryBody {
  readonly chainId: string;
  readonly chainSeq: number;
  /** ISO 8601 UTC with milliseconds, e.g. `2026-01-02T03:04:05.678Z`. */
  readonly occurredAt: string;
  readonly partnership: string | null;
  readonly actorType: ActorType;
  readonly actorId: string;
  readonly actorRole: string | null;
  readonly action: string;
  readonly outcome: Outcome;
  readonly caseId: string | null;
  readonly queryId: string | null;
  readonly agency: string | null;
  readonly subjectPseudonyms: readonly string[];
  readonly correlationId: string | null;
  readonly details: Readonly<Record<string, unknown>>;
  /** Hex SHA-256 of the previous entry on the chain, or `GENESIS_PREV_HASH`. */
  readonly prevHash: string;
}

/** A stored entry. `seq` is the table-wide insertion order; it is not hashed. */
export interface AuditEntry extends AuditEntryBody {
  readonly seq: number;
  readonly hash: string;
}

export function chainIdFor(partnership: string | null | undefined): string {
  return partnership ?? SYSTEM_CHAIN_ID;
}
