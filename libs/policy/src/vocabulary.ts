import type { Agency, MemberRelationship, Purpose } from '@mash/contracts';

export const MASK_KINDS = [
  'year-only',
  'month-year',
  'partial-postcode',
  'initial',
  'redact',
] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export const RAGS = ['green', 'amber', 'red'] as const;
export type Rag = (typeof RAGS)[number];
export const RAG_RANK: Readonly<Record<Rag, number>> = { green: 1, amber: 2, red: 3 };

export const AGREEMENT_STATUSES = ['draft', 'active', 'suspended', 'expired'] as const;
export type AgreementStatus = (typeof AGREEMENT_STATUSES)[number];

/** Why information may be shared without the family's consent. */
export const CONSENT_REASONS = [
  'risk-of-significant-harm',
  'cannot-reasonably-be-obtained',
  'would-prejudice-crime-prevention',
  'would-prejudice-enquiries',
] as const;
export type ConsentReason = (typeof CONSENT_REASONS)[number];

export const CONSENT_REASON_TEXT: Readonly<Record<ConsentReason, string>> = {
  'risk-of-significant-harm':
    'seeking or respecting consent would place the child at risk of significant harm',
  'cannot-reasonably-be-obtained': 'consent cannot reasonably be obtained',
  'would-prejudice-crime-prevention':
    'seeking consent would prejudice the prevention or detection of crime',
  'would-prejudice-enquiries': 'seeking consent would prejudice child protection enquiries',
};

/**
 * The only reasons that override an explicit refusal: a refusal is respected unless respecting it
 * would place the child at risk of significant harm (Working Together 2023; DPA 2018 Sch 1 para 18).
 */
export const REFUSAL_OVERRIDE_REASONS: readonly ConsentReason[] = ['risk-of-significant-harm'];

export const AGENCY_LABEL: Readonly<Record<Agency, string>> = {
  police: 'Police',
  health: 'Health',
  education: 'Education',
  'social-care': "Children's social care",
};

export const PURPOSE_LABEL: Readonly<Record<Purpose, string>> = {
  'mash-triage': 'MASH triage',
  'strategy-discussion': 'a strategy discussion',
  's47-enquiry': 'a section 47 enquiry',
};

export const MASK_LABEL: Readonly<Record<MaskKind, string>> = {
  'year-only': 'year only',
  'month-year': 'month and year only',
  'partial-postcode': 'partial postcode',
  initial: 'initials only',
  redact: 'redacted',
};

/** A household member as a reason's sentence names them: "asking about a parent's partner". */
export const RELATIONSHIP_LABEL: Readonly<Record<MemberRelationship, string>> = {
  sibling: 'a sibling',
  parent: 'a parent',
  carer: 'a carer',
  'partner-of-parent': 'a parent’s partner',
  'other-adult': 'another adult in the household',
  'other-child': 'another child in the household',
};
