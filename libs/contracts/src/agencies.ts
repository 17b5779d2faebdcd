export const AGENCIES = ['police', 'health', 'education', 'social-care'] as const;
export type Agency = (typeof AGENCIES)[number];

export function isAgency(value: unknown): value is Agency {
  return typeof value === 'string' && (AGENCIES as readonly string[]).includes(value);
}

export const PURPOSES = ['mash-triage', 'strategy-discussion', 's47-enquiry'] as const;
export type Purpose = (typeof PURPOSES)[number];

/**
 * How a person on a case relates to the child it is about. The subject is the child referred;
 * every other member is asked about only where the agreement in force covers that relationship.
 */
export const RELATIONSHIPS = [
  'subject',
  'sibling',
  'parent',
  'carer',
  'partner-of-parent',
  'other-adult',
  'other-child',
] as const;
export type Relationship = (typeof RELATIONSHIPS)[number];
/** Every relationship but the subject's: what a household member added to a case may be. */
export const MEMBER_RELATIONSHIPS = RELATIONSHIPS.filter(
  (r): r is Exclude<Relationship, 'subject'> => r !== 'subject',
);
export type MemberRelationship = Exclude<Relationship, 'subject'>;
