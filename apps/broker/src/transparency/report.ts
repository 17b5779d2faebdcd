import { LEGAL_GATEWAYS } from '@mash/policy';

/** What the report is built from: codes and labels only, never the records' values. */
export interface ReportInput {
  caseId: string;
  /**
   * Whom the report tells about: the child referred, or another person of the household (whose
   * own report it is, an adult's written to them). Absent means the child referred.
   */
  person?: { memberId: string; relationship: string; adult: boolean };
  receivedAt: Date;
  referrerAgency: string;
  /** Concern labels from the partnership's threshold matrix. */
  concerns: string[];
  consent: { status: 'given' | 'refused' | 'not-sought' | 'none'; reason?: string };
  requests: Array<{
    agency: string;
    purpose: string;
    askedAt: Date;
    /** The agency's answer: `match` means it shared information. */
    status: string;
    legalGateways: string[];
  }>;
  /** Per agency: category name -> plain description (from the agreement) of what it shared. */
  shared: Record<string, Array<{ category: string; description: string }>>;
  decision: { outcome: string; decidedAt: Date; closed: boolean } | null;
  dataDeletedAt: Date | null;
  /** Items a manager withheld: `agency:<a>`, `category:<a>:<category>`, `section:<referral|consent|decision>`. */
  withheld: ReadonlySet<string>;
}

export interface TransparencyReport {
  caseId: string;
  /** The person of the household the report is about (`relationship: "subject"` for the child). */
  person?: { memberId: string; relationship: string };
  generatedAt: string;
  title: string;
  introduction: string;
  referral?: { receivedOn: string; referredBy: string; concerns: string[]; text: string };
  agencies: Array<{
    agency: string;
    name: string;
    text: string;
    requests: Array<{ purpose: string; purposeText: string; askedOn: string; shared: boolean }>;
    kindsOfInformation: Array<{ category: string; description: string }>;
    lawfulBasis: Array<{ code: string; label: string; description: string }>;
  }>;
  consent?: { sought: boolean; status: string; text: string };
  decision?: { outcome: string; decidedOn: string; text: string };
  dataRetention: string;
  yourRights: string;
}

export const AGENCY_NAMES: Record<string, string> = {
  police: 'The police',
  health: 'Health services (the NHS)',
  education: 'Education services (schools and the council’s education service)',
  'social-care': 'Children’s social care',
  other: 'Someone outside these services',
};

const PURPOSE_TEXT: Record<string, string> = {
  'mash-triage': 'to decide quickly whether your child needed help or protection, and what kind',
  'strategy-discussion': 'to plan, with the other services, how to keep your child safe',
  's47-enquiry':
    'for an enquiry into whether your child was at risk of significant harm (section 47 of the Children Act 1989)',
};

const CONSENT_TEXT: Record<string, string> = {
  'risk-of-significant-harm':
    'asking for your consent could have put your child at risk of significant harm',
  'cannot-reasonably-be-obtained': 'it was not reasonably possible to ask for your consent in time',
  'would-prejudice-crime-prevention':
    'asking for your consent could have got in the way of preventing or detecting a crime',
  'would-prejudice-enquiries':
    'asking for your consent could have got in the way of the enquiries into your child’s safety',
};

export const OUTCOME_TEXT: Record<string, string> = {
  nfa: 'No further action was needed from the safeguarding hub.',
  'early-help':
    'Your family was offered early help: support from local services, which you can choose to accept.',
  's17-assessment':
    'Children’s social care will assess whether your child needs extra support (a child in need assessment, section 17 of the Children Act 1989).',
  's47-strategy':
    'The services met to plan how to keep your child safe (a strategy discussion under section 47 of the Children Act 1989).',
  'police-action': 'The police were asked to take action.',
  other: 'Another course of action was agreed.',
};

const GATEWAYS = new Map(LEGAL_GATEWAYS.map((g) => [g.code, g]));

function day(d: Date): string {
  return d.toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'Europe/London',
  });
}

function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Everything in this case's report a manager can withhold, in the `item` syntax: each agency asked,
 * each kind of information an agency shared, and the referral, consent and (once there is one)
 * decision sections. A withholding naming anything else would hide nothing.
 */
export function withholdableItems(input: Omit<ReportInput, 'withheld'>): string[] {
  const agencies = [...new Set(input.requests.map((r) => r.agency))].sort();
  return [
    'section:referral',
    'section:consent',
    ...(input.decision ? ['section:decision'] : []),
    ...agencies.map((a) => `agency:${a}`),
    ...agencies.flatMap((a) =>
      (input.shared[a] ?? []).map((k) => `category:${a}:${k.category}`).sort(),
    ),
  ];
}

/**
 * The transparency report in plain English for the family: who was asked, what kinds of
 * information they shared, why, on what legal basis, whether consent was sought, and what was
 * decided. Anything withheld by a manager is left out entirely, without a trace that it existed.
 */
export function buildTransparencyReport(input: ReportInput, now = new Date()): TransparencyReport {
  const hidden = (item: string) => input.withheld.has(item);
  // An adult of the household is told about themselves; a parent is told about their child.
  const about = input.person?.adult ? 'you' : 'your child';
  const agencies = [...new Set(input.requests.map((r) => r.agency))]
    .filter((a) => !hidden(`agency:${a}`))
    .sort();
  const report: TransparencyReport = {
    caseId: input.caseId,
    ...(input.person
      ? {
          person: { memberId: input.person.memberId, relationship: input.person.relationship },
        }
      : {}),
    generatedAt: now.toISOString(),
    title: `What happened to information about ${about}`,
    introduction:
      'When someone is worried about a child, the local Multi-Agency Safeguarding Hub (MASH) may ask the services that know the family what they know, so that the right help is offered quickly. This report tells you which services were asked, what kinds of information they shared, why, the law that allowed it, and what was decided.',
    agencies: [],
    dataRetention: input.dataDeletedAt
      ? `The information the services shared was deleted on ${day(input.dataDeletedAt)}, when the period for keeping it ended. A record that it was shared is kept.`
      : 'The hub keeps the information the services shared only for a set period after the case is closed, and then deletes it.',
    yourRights:
      'You have the right to ask for a copy of the information held about you and your child, and to ask for it to be corrected. You can contact the council’s data protection officer, or complain to the Information Commissioner’s Office (ico.org.uk).',
  };

  if (!hidden('section:referral')) {
    const referredBy = AGENCY_NAMES[input.referrerAgency] ?? AGENCY_NAMES.other;
    const concerns = input.concerns;
    report.referral = {
      receivedOn: day(input.receivedAt),
      referredBy,
      concerns,
      text: `${referredBy} contacted the hub on ${day(input.receivedAt)}${concerns.length > 0 ? ` because of worries about: ${listText(concerns.map((c) => c.toLowerCase()))}` : ''}.`,
    };
  }

  for (const agency of agencies) {
    const requests = input.requests.filter((r) => r.agency === agency);
    const name = AGENCY_NAMES[agency] ?? agency;
    const kinds = (input.shared[agency] ?? []).filter(
      (k) => !hidden(`category:${agency}:${k.category}`),
    );
    const gatewayCodes = [...new Set(requests.flatMap((r) => r.legalGateways))];
    const lawfulBasis = gatewayCodes.flatMap((code) => {
      const g = GATEWAYS.get(code);
      return g ? [{ code, label: g.label, description: g.description }] : [];
    });
    const sharedAny = requests.some((r) => r.status === 'match');
    const purposes = [...new Set(requests.map((r) => PURPOSE_TEXT[r.purpose] ?? r.purpose))];
    const text = [
      `${name} ${requests.length > 1 ? `were asked ${requests.length} times` : 'were asked'} ${listText(purposes)}.`,
      sharedAny
        ? kinds.length > 0
          ? `They shared these kinds of information: ${listText(kinds.map((k) => k.description.replace(/\.$/, '').toLowerCase()))}.`
          : 'They shared information.'
        : `They did not share any information about ${about}.`,
      lawfulBasis.length > 0
        ? `The law that allowed this: ${listText(lawfulBasis.map((g) => g.label))}.`
        : '',
    ]
      .filter(Boolean)
      .join(' ');
    report.agencies.push({
      agency,
      name,
      text,
      requests: requests.map((r) => ({
        purpose: r.purpose,
        purposeText: PURPOSE_TEXT[r.purpose] ?? r.purpose,
        askedOn: day(r.askedAt),
        shared: r.status === 'match',
      })),
      kindsOfInformation: sharedAny ? kinds : [],
      lawfulBasis,
    });
  }

  if (!hidden('section:consent')) {
    const c = input.consent;
    const text =
      c.status === 'given'
        ? 'You were asked, and you agreed to the information being shared.'
        : c.status === 'refused'
          ? `You were asked and did not agree. The information was shared without your agreement because ${CONSENT_TEXT[c.reason ?? ''] ?? 'the law allowed it to protect your child'}.`
          : c.status === 'not-sought'
            ? `You were not asked for your consent because ${CONSENT_TEXT[c.reason ?? ''] ?? 'the law allowed the hub to share information without it to protect your child'}.`
            : 'No decision about consent was recorded.';
    report.consent = {
      sought: c.status === 'given' || c.status === 'refused',
      status: c.status,
      text,
    };
  }

  if (input.decision && !hidden('section:decision')) {
    report.decision = {
      outcome: input.decision.outcome,
      decidedOn: day(input.decision.decidedAt),
      text: `On ${day(input.decision.decidedAt)} the hub decided: ${OUTCOME_TEXT[input.decision.outcome] ?? OUTCOME_TEXT.other}${input.decision.closed ? ' The hub has closed its case.' : ''}`,
    };
  }
  return report;
}
