export const AGENCIES = ['police', 'health', 'education', 'social-care'] as const;
export type Agency = (typeof AGENCIES)[number];

export function isAgency(value: unknown): value is Agency {
  return typeof value === 'string' && (AGENCIES as readonly string[]).includes(value);
}

export const PURPOSES = ['mash-triage', 'strategy-discussion', 's47-enquiry'] as const;
export type Purpose = (typeof PURPOSES)[number];
