/** The strategy discussion the e2e tests record: who attends, and what it gives the agencies. */

/** One person from each of three agencies, the chair from children's social care. */
export const STRATEGY_ATTENDEES = [
  { name: 'Priya Shah', agency: 'social-care', role: 'Team manager (chair)' },
  { name: 'DC Tom Reeves', agency: 'police', role: 'Public protection' },
  { name: 'Ann Lowe', agency: 'health', role: 'Named nurse' },
];

/** A section 47 enquiry's actions: a police joint visit, social care leading the enquiry. */
export const SECTION_47_ACTIONS = [
  { agency: 'police', action: 'Joint visit with social care', dueAt: '2026-12-01T16:00:00Z' },
  { agency: 'social-care', action: 'Lead the section 47 enquiry', dueAt: '2026-12-02T12:00:00Z' },
];
