import type { Agency, MemberRelationship, Purpose } from '@mash/contracts';
import type { AgreementVersion } from './agreement';
import type { MaskKind, Rag } from './vocabulary';

export type ConsentStatus = 'given' | 'refused' | 'not-sought' | 'none';

export interface CaseConsent {
  status: ConsentStatus;
  /** A ConsentReason code, recorded when sharing without consent. */
  reason?: string;
  managerApproved?: boolean;
}

export interface DecisionRequest {
  partnership: string;
  /** The providing agency asked to share. */
  agency: Agency;
  purpose: Purpose;
  user: { sub: string; roles: readonly string[] };
  /**
   * The consent that governs this request: the subject's, or the member's own when `member` is
   * set (with `household` consent scope, the caller passes a refusal by any member).
   */
  case: { id: string; level: number; rag: Rag; consent: CaseConsent };
  now: Date;
  /** A household member other than the child the case is about; absent for the child. */
  member?: {
    relationship: MemberRelationship;
    /** 18 or over on the day asked. */
    adult: boolean;
    /** Another member's refusal, for agreements whose household consent scope is `household`. */
    householdRefusal?: boolean;
  };
}

export interface DecisionInput {
  request: DecisionRequest;
  /** Candidate versions; those for other partnerships or agencies are ignored. */
  agreements: readonly AgreementVersion[];
}

/** Roles that may cause a query to be sent to an agency. */
export const QUERY_ROLES: readonly string[] = ['analyst', 'manager'];

/** The role that adds an agency's own information to a case (`decideContribution`). */
export const CONTRIBUTOR_ROLE = 'agency-representative';

export const REASON_CODES = [
  'POLICY.PERMITTED',
  'POLICY.INVALID_REQUEST',
  'POLICY.ROLE_NOT_PERMITTED',
  'POLICY.NO_ACTIVE_AGREEMENT',
  'POLICY.AGREEMENT_SUSPENDED',
  'POLICY.AGREEMENT_EXPIRED',
  'POLICY.PURPOSE_NOT_COVERED',
  'POLICY.CONSENT_GIVEN',
  'POLICY.CONSENT_NOT_REQUIRED',
  'POLICY.CONSENT_OVERRIDDEN',
  'POLICY.CONSENT_REQUIRED',
  'POLICY.CONSENT_REFUSED',
  'POLICY.CONSENT_REASON_REQUIRED',
  'POLICY.CONSENT_REASON_NOT_ACCEPTED',
  'POLICY.MANAGER_APPROVAL_PENDING',
  'POLICY.BELOW_THRESHOLD',
  'POLICY.NOTHING_TO_SHARE',
  'POLICY.RELATIONSHIP_NOT_COVERED',
  'POLICY.NOT_SHARED_FOR_ADULTS',
  'POLICY.HOUSEHOLD_CONSENT_REFUSED',
] as const;
export type ReasonCode = (typeof REASON_CODES)[number];

/** Reasons that explain a permit rather than block one; every other code blocks (or drops a category). */
export const INFORMATIONAL_REASON_CODES: ReadonlySet<ReasonCode> = new Set<ReasonCode>([
  'POLICY.PERMITTED',
  'POLICY.CONSENT_GIVEN',
  'POLICY.CONSENT_NOT_REQUIRED',
  'POLICY.CONSENT_OVERRIDDEN',
]);

export interface DecisionReason {
  code: ReasonCode;
  /** Plain English for the analyst; never contains personal data. */
  text: string;
  /** The data category a BELOW_THRESHOLD or NOT_SHARED_FOR_ADULTS reason is about. */
  category?: string;
}

export interface FieldObligation {
  name: string;
  action: 'include' | 'mask';
  mask?: MaskKind;
}

export interface CategoryObligation {
  name: string;
  fields: FieldObligation[];
}

/** What the data may contain and how it must be handled; empty when denied. */
export interface Obligations {
  categories: CategoryObligation[];
  retentionDays: number;
  justificationRequired: boolean;
}

export interface Decision {
  decision: 'permit' | 'deny';
  partnership: string;
  agency: Agency;
  purpose: Purpose;
  reasons: DecisionReason[];
  obligations: Obligations;
  /** The agreement version the decision rests on, when one governs the request (even if it denies). */
  agreement?: { id: string; version: number; hash: string };
  legalGateways: Array<{ code: string; label: string }>;
}
