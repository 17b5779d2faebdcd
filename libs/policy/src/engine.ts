import {
  AGENCIES,
  MEMBER_RELATIONSHIPS,
  PURPOSES,
  type Agency,
  type Purpose,
} from '@mash/contracts';
import type { AgreementVersion, ConsentRule } from './agreement';
import { legalGateway } from './gateways';
import { agreementHash } from './hash';
import {
  AGENCY_LABEL,
  CONSENT_REASON_TEXT,
  CONSENT_REASONS,
  PURPOSE_LABEL,
  RAG_RANK,
  RAGS,
  REFUSAL_OVERRIDE_REASONS,
  RELATIONSHIP_LABEL,
  type ConsentReason,
  type Rag,
} from './vocabulary';
import {
  CONTRIBUTOR_ROLE,
  QUERY_ROLES,
  type CategoryObligation,
  type Decision,
  type DecisionInput,
  type DecisionReason,
  type DecisionRequest,
  type FieldObligation,
  type ReasonCode,
} from './decision';

const DAY_MS = 86_400_000;

/**
 * Agreements are signed in England: `effectiveFrom` and `effectiveTo` are London calendar days,
 * so a version comes into force at 00:00 GMT or BST, not at 00:00 UTC (an hour late all summer).
 */
const LONDON = 'Europe/London';
const londonHour = new Intl.DateTimeFormat('en-GB', {
  timeZone: LONDON,
  hour: 'numeric',
  hourCycle: 'h23',
});

/** The instant the London day `YYYY-MM-DD` begins. */
export function londonDayStart(isoDate: string): number {
  const utcMidnight = Date.parse(`${isoDate}T00:00:00Z`);
  // London is UTC+0 or UTC+1, and changes at 01:00 UTC, so the wall-clock hour at 00:00 UTC is
  // the offset in force at London's own midnight.
  const offsetHours = Number(londonHour.format(utcMidnight));
  return utcMidnight - offsetHours * 3_600_000;
}

function isoDayAfter(isoDate: string): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

interface CompiledCategory {
  name: string;
  minimumLevel: number;
  minimumRag: Rag | undefined;
  minimumRagRank: number;
  /** Only the fields that may leave, in the agreement's order. */
  fields: readonly FieldObligation[];
}

interface CompiledPurpose {
  gateways: ReadonlyArray<{ code: string; label: string }>;
  consent: ConsentRule;
  allowedReasons: ReadonlySet<string>;
  /** The accepted reasons, quoted, for reason texts. */
  acceptedText: string;
  retentionDays: number;
  justificationRequired: boolean;
  categories: readonly CompiledCategory[];
  household?: {
    relationships: ReadonlySet<string>;
    adultCategories: ReadonlySet<string>;
    consentScope: 'per-person' | 'household';
  };
}

/** An agreement version with everything `decide` needs precomputed: window, hash, per-purpose rules. */
export interface CompiledAgreement {
  readonly source: AgreementVersion;
  readonly id: string;
  readonly version: number;
  readonly hash: string;
  readonly fromMs: number;
  /** Exclusive end of the window; Infinity when open-ended. */
  readonly toMs: number;
  readonly purposes: ReadonlyMap<Purpose, CompiledPurpose>;
}

const compiledCache = new WeakMap<AgreementVersion, CompiledAgreement>();

/** Compiles (once per object; the result is cached) an agreement version for decisions. */
export function compileAgreement(agreement: AgreementVersion): CompiledAgreement {
  const cached = compiledCache.get(agreement);
  if (cached) return cached;
  const purposes = new Map<Purpose, CompiledPurpose>();
  for (const purpose of PURPOSES) {
    const rule = agreement.purposes[purpose];
    if (!rule) continue;
    const consent = rule.consent ?? agreement.consent;
    const allowed: readonly string[] =
      consent.rule === 'not-required-with-reason' ? consent.allowedReasons : CONSENT_REASONS;
    purposes.set(purpose, {
      gateways: (rule.legalGateways ?? agreement.legalGateways).map((code) => ({
        code,
        label: legalGateway(code).label,
      })),
      consent,
      allowedReasons: new Set(allowed),
      acceptedText: allowed.map((r) => `"${r}"`).join(', '),
      retentionDays: rule.retentionDays ?? agreement.retentionDays,
      justificationRequired: rule.justificationRequired ?? false,
      categories: Object.entries(rule.categories)
        .map(([name, category]) => ({
          name,
          minimumLevel: category.minimumLevel ?? 0,
          minimumRag: category.minimumRag,
          minimumRagRank: category.minimumRag ? RAG_RANK[category.minimumRag] : 0,
          fields: Object.entries(category.fields).flatMap(
            ([field, fieldRule]): FieldObligation[] =>
              fieldRule === 'exclude'
                ? []
                : fieldRule === 'include'
                  ? [{ name: field, action: 'include' }]
                  : [{ name: field, action: 'mask', mask: fieldRule.mask }],
          ),
        }))
        .filter((c) => c.fields.length > 0),
      ...(rule.household
        ? {
            household: {
              relationships: new Set(rule.household.relationships),
              adultCategories: new Set(rule.household.adultCategories ?? []),
              consentScope: rule.household.consentScope ?? 'per-person',
            },
          }
        : {}),
    });
  }
  const compiled: CompiledAgreement = {
    source: agreement,
    id: agreement.id,
    version: agreement.version,
    hash: agreementHash(agreement),
    fromMs: londonDayStart(agreement.effectiveFrom),
    toMs:
      agreement.effectiveTo === undefined
        ? Infinity
        : londonDayStart(isoDayAfter(agreement.effectiveTo)),
    purposes,
  };
  compiledCache.set(agreement, compiled);
  return compiled;
}

/** Versions of one agreement id, highest version first. */
type Lineage = readonly CompiledAgreement[];

function lineages(compiled: readonly CompiledAgreement[]): Lineage[] {
  const byId = new Map<string, CompiledAgreement[]>();
  for (const c of compiled) {
    const list = byId.get(c.id);
    if (list) list.push(c);
    else byId.set(c.id, [c]);
  }
  return [...byId.values()].map((list) => list.sort((a, b) => b.version - a.version));
}

const key = (partnership: string, agency: string) => `${partnership}\u0000${agency}`;

/**
 * Agreement versions indexed by partnership and agency, compiled once, for fast repeated decisions.
 * Build a new index when the agreements change; an index is immutable.
 */
export class PolicyIndex {
  private readonly byPair = new Map<string, Lineage[]>();
  readonly size: number;

  constructor(agreements: Iterable<AgreementVersion>) {
    const grouped = new Map<string, CompiledAgreement[]>();
    let size = 0;
    for (const agreement of agreements) {
      const k = key(agreement.partnership, agreement.agency);
      const list = grouped.get(k);
      const compiled = compileAgreement(agreement);
      if (list) list.push(compiled);
      else grouped.set(k, [compiled]);
      size++;
    }
    for (const [k, list] of grouped) this.byPair.set(k, lineages(list));
    this.size = size;
  }

  /** The agreement versions held for one partnership and providing agency. */
  versionsFor(partnership: string, agency: Agency): AgreementVersion[] {
    return (this.byPair.get(key(partnership, agency)) ?? []).flatMap((l) => l.map((c) => c.source));
  }

  decide(request: DecisionRequest): Decision {
    return decideOver(this.byPair.get(key(request.partnership, request.agency)) ?? [], request);
  }
}

/**
 * Decides whether `request.agency` may share with the partnership for `request.purpose`, picking the
 * agreement version in force among `agreements`. Pure; compiled agreements are cached per object,
 * so repeated calls with the same agreement objects are fast. For many agreements prefer PolicyIndex.
 */
export function decide(input: DecisionInput): Decision {
  const { request } = input;
  const relevant: CompiledAgreement[] = [];
  for (const agreement of input.agreements) {
    if (agreement.partnership === request.partnership && agreement.agency === request.agency)
      relevant.push(compileAgreement(agreement));
  }
  return decideOver(lineages(relevant), request);
}

function reason(code: ReasonCode, clause: string, category?: string): DecisionReason {
  const text = `${clause.charAt(0).toUpperCase()}${clause.slice(1)}.`;
  return category === undefined ? { code, text } : { code, text, category };
}

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: LONDON,
});
const dateText = (ms: number) => dateFormat.format(ms);

function deny(
  request: DecisionRequest,
  reasons: DecisionReason[],
  governing?: CompiledAgreement,
  purpose?: CompiledPurpose,
): Decision {
  return {
    decision: 'deny',
    partnership: request.partnership,
    agency: request.agency,
    purpose: request.purpose,
    reasons,
    obligations: { categories: [], retentionDays: 0, justificationRequired: false },
    ...(governing
      ? { agreement: { id: governing.id, version: governing.version, hash: governing.hash } }
      : {}),
    legalGateways: purpose ? purpose.gateways.map((g) => ({ ...g })) : [],
  };
}

function invalidRequest(request: DecisionRequest): string | undefined {
  const c = request.case;
  if (!(request.now instanceof Date) || Number.isNaN(request.now.getTime()))
    return 'the request has no valid time';
  if (!(AGENCIES as readonly string[]).includes(request.agency))
    return 'the request names an unknown agency';
  if (!(PURPOSES as readonly string[]).includes(request.purpose))
    return 'the request names an unknown purpose';
  if (!c || !Number.isInteger(c.level) || c.level < 1 || c.level > 4)
    return "the case's level of need is not between 1 and 4";
  if (!(RAGS as readonly string[]).includes(c.rag))
    return "the case's RAG rating is not green, amber or red";
  if (!c.consent || !['given', 'refused', 'not-sought', 'none'].includes(c.consent.status))
    return "the case's consent status is not recorded correctly";
  const m = request.member;
  if (
    m !== undefined &&
    (!(MEMBER_RELATIONSHIPS as readonly string[]).includes(m.relationship) ||
      typeof m.adult !== 'boolean')
  )
    return 'the request names a household member without a known relationship or age';
  return undefined;
}

/**
 * Whether a representative of `request.agency` may add their agency's own information (a
 * contribution: professional judgement, soft intelligence, history) to a case for this purpose,
 * about the child or a member of the household. The rules are a query's (agreement in force,
 * household relationships, adults, consent, thresholds): a person may tell the MASH only what
 * their agency could lawfully have shared for that purpose. Only a representative of the
 * providing agency itself may contribute.
 */
export function decideContribution(input: DecisionInput & { representativeOf: string }): Decision {
  const { request } = input;
  const relevant: CompiledAgreement[] = [];
  for (const agreement of input.agreements) {
    if (agreement.partnership === request.partnership && agreement.agency === request.agency)
      relevant.push(compileAgreement(agreement));
  }
  return decideOver(lineages(relevant), request, input.representativeOf);
}

function decideOver(
  pairLineages: readonly Lineage[],
  request: DecisionRequest,
  /** For a contribution: the agency the contributing representative works for. */
  representativeOf?: string,
): Decision {
  const invalid = invalidRequest(request);
  if (invalid) return deny(request, [reason('POLICY.INVALID_REQUEST', invalid)]);
  if (representativeOf !== undefined) {
    if (representativeOf !== request.agency || !request.user?.roles?.includes(CONTRIBUTOR_ROLE)) {
      return deny(request, [
        reason(
          'POLICY.ROLE_NOT_PERMITTED',
          `only a representative of ${AGENCY_LABEL[request.agency]} may contribute its information`,
        ),
      ]);
    }
  } else if (!request.user?.roles?.some((r) => QUERY_ROLES.includes(r))) {
    return deny(request, [
      reason(
        'POLICY.ROLE_NOT_PERMITTED',
        'only an analyst or a manager may ask agencies to share information',
      ),
    ]);
  }

  const nowMs = request.now.getTime();
  const agency = AGENCY_LABEL[request.agency];
  const purposeLabel = PURPOSE_LABEL[request.purpose];

  // Each agreement id is governed by its highest non-draft version whose window covers now.
  let chosen: CompiledAgreement | undefined;
  let chosenPurpose: CompiledPurpose | undefined;
  let suspended: CompiledAgreement | undefined;
  let expired: CompiledAgreement | undefined;
  let uncovered: CompiledAgreement | undefined;
  let ended: CompiledAgreement | undefined;
  let notYet: CompiledAgreement | undefined;
  for (const lineage of pairLineages) {
    let governing: CompiledAgreement | undefined;
    for (const v of lineage) {
      const status = v.source.status;
      if (status === 'draft') continue;
      if (nowMs < v.fromMs) {
        if (status === 'active' && (!notYet || v.fromMs < notYet.fromMs)) notYet = v;
        continue;
      }
      if (nowMs >= v.toMs) {
        if (!ended || v.toMs > ended.toMs) ended = v;
        continue;
      }
      governing = v;
      break;
    }
    if (!governing) continue;
    switch (governing.source.status) {
      case 'suspended':
        suspended ??= governing;
        break;
      case 'expired':
        expired ??= governing;
        break;
      case 'active': {
        const p = governing.purposes.get(request.purpose);
        if (!p) {
          uncovered ??= governing;
        } else if (
          !chosen ||
          governing.fromMs > chosen.fromMs ||
          (governing.fromMs === chosen.fromMs && governing.version > chosen.version)
        ) {
          chosen = governing;
          chosenPurpose = p;
        }
        break;
      }
      case 'draft':
        break;
    }
  }

  if (!chosen || !chosenPurpose) {
    if (suspended) {
      return deny(
        request,
        [
          reason(
            'POLICY.AGREEMENT_SUSPENDED',
            `the data-sharing agreement with ${agency} (version ${suspended.version}) is suspended, so nothing may be shared until it is reinstated`,
          ),
        ],
        suspended,
        suspended.purposes.get(request.purpose),
      );
    }
    if (expired) {
      return deny(
        request,
        [
          reason(
            'POLICY.AGREEMENT_EXPIRED',
            `the data-sharing agreement with ${agency} (version ${expired.version}) has expired`,
          ),
        ],
        expired,
        expired.purposes.get(request.purpose),
      );
    }
    if (uncovered) {
      return deny(
        request,
        [
          reason(
            'POLICY.PURPOSE_NOT_COVERED',
            `the data-sharing agreement with ${agency} (version ${uncovered.version}) does not cover ${purposeLabel}`,
          ),
        ],
        uncovered,
      );
    }
    if (ended) {
      return deny(
        request,
        [
          reason(
            'POLICY.AGREEMENT_EXPIRED',
            `the data-sharing agreement with ${agency} ended on ${dateText(ended.toMs - 1)} and no later version is in force`,
          ),
        ],
        ended,
        ended.purposes.get(request.purpose),
      );
    }
    const clause = notYet
      ? `no data-sharing agreement with ${agency} is in force yet: the first comes into force on ${dateText(notYet.fromMs)}`
      : `there is no active data-sharing agreement with ${agency} in this partnership`;
    return deny(request, [reason('POLICY.NO_ACTIVE_AGREEMENT', clause)]);
  }

  const purpose = chosenPurpose;
  const member = request.member;
  if (member) {
    const who = RELATIONSHIP_LABEL[member.relationship];
    if (!purpose.household?.relationships.has(member.relationship)) {
      return deny(
        request,
        [
          reason(
            'POLICY.RELATIONSHIP_NOT_COVERED',
            `the data-sharing agreement with ${agency} (version ${chosen.version}) does not cover asking about ${who} for ${purposeLabel}`,
          ),
        ],
        chosen,
        purpose,
      );
    }
    if (purpose.household.consentScope === 'household' && member.householdRefusal) {
      return deny(
        request,
        [
          reason(
            'POLICY.HOUSEHOLD_CONSENT_REFUSED',
            `a member of the household refused consent, and the agreement with ${agency} treats consent for ${purposeLabel} as the household's`,
          ),
        ],
        chosen,
        purpose,
      );
    }
  }
  const reasons: DecisionReason[] = [];
  const consent = evaluateConsent(purpose, request, purposeLabel);
  reasons.push(consent.reason);

  const level = request.case.level;
  const ragRank = RAG_RANK[request.case.rag];
  const categories: CategoryObligation[] = [];
  const drops: DecisionReason[] = [];
  for (const c of purpose.categories) {
    if (member?.adult && !purpose.household?.adultCategories.has(c.name)) {
      drops.push(
        reason(
          'POLICY.NOT_SHARED_FOR_ADULTS',
          `${c.name} are shared about children only: the agreement does not share them about an adult`,
          c.name,
        ),
      );
      continue;
    }
    if (level >= c.minimumLevel && ragRank >= c.minimumRagRank) {
      categories.push({ name: c.name, fields: c.fields.map((f) => ({ ...f })) });
      continue;
    }
    const needs: string[] = [];
    if (c.minimumLevel > 0) needs.push(`at level of need ${c.minimumLevel} or above`);
    if (c.minimumRag)
      needs.push(
        c.minimumRag === 'red'
          ? 'when the case is rated red'
          : `when the case is rated ${c.minimumRag} or higher`,
      );
    drops.push(
      reason(
        'POLICY.BELOW_THRESHOLD',
        `${c.name} are not shared: the agreement shares them only ${needs.join(' and ')}, and this case is at level ${level}, rated ${request.case.rag}`,
        c.name,
      ),
    );
  }
  reasons.push(...drops);

  if (!consent.ok) return deny(request, reasons, chosen, purpose);
  if (categories.length === 0) {
    if (drops.length === 0)
      reasons.push(
        reason(
          'POLICY.NOTHING_TO_SHARE',
          `the agreement lets ${agency} share no fields for ${purposeLabel}`,
        ),
      );
    return deny(request, reasons, chosen, purpose);
  }
  const title = chosen.source.title ? `"${chosen.source.title}" ` : '';
  reasons.unshift(
    reason(
      'POLICY.PERMITTED',
      `the data-sharing agreement ${title}(version ${chosen.version}) with ${agency} is in force and covers ${purposeLabel}`,
    ),
  );
  return {
    decision: 'permit',
    partnership: request.partnership,
    agency: request.agency,
    purpose: request.purpose,
    reasons,
    obligations: {
      categories,
      retentionDays: purpose.retentionDays,
      justificationRequired: purpose.justificationRequired || consent.withoutConsent,
    },
    agreement: { id: chosen.id, version: chosen.version, hash: chosen.hash },
    legalGateways: purpose.gateways.map((g) => ({ ...g })),
  };
}

interface ConsentOutcome {
  ok: boolean;
  withoutConsent: boolean;
  reason: DecisionReason;
}

/**
 * Consent semantics (documented in libs/policy/README.md):
 * - `given` always satisfies the rule.
 * - `not-sought` and `none` (no decision recorded yet) are treated alike: sharing without consent
 *   needs a recorded reason the rule accepts (`not-required-with-reason`: one of its allowedReasons;
 *   `manager-approval-required`: any recognised reason plus the manager's approval); `required` denies.
 * - `refused` is respected unless the recorded reason is one that overrides a refusal
 *   (REFUSAL_OVERRIDE_REASONS: the child would be at risk of significant harm) and the rule allows
 *   proceeding without consent with that reason (and, for `manager-approval-required`, a manager approved).
 */
function evaluateConsent(
  purpose: CompiledPurpose,
  request: DecisionRequest,
  purposeLabel: string,
): ConsentOutcome {
  const { status, reason: recorded, managerApproved } = request.case.consent;
  if (status === 'given')
    return {
      ok: true,
      withoutConsent: false,
      reason: reason('POLICY.CONSENT_GIVEN', 'consent to share was given'),
    };
  const rule = purpose.consent;
  const deny = (code: ReasonCode, clause: string): ConsentOutcome => ({
    ok: false,
    withoutConsent: true,
    reason: reason(code, clause),
  });
  const accepted = purpose.acceptedText;

  if (rule.rule === 'required') {
    return status === 'refused'
      ? deny(
          'POLICY.CONSENT_REFUSED',
          `consent was refused, and the agreement allows sharing for ${purposeLabel} only with consent`,
        )
      : deny(
          'POLICY.CONSENT_REQUIRED',
          `the agreement allows sharing for ${purposeLabel} only with consent, and consent has not been given`,
        );
  }
  const known = recorded !== undefined && (CONSENT_REASONS as readonly string[]).includes(recorded);
  const reasonText = known ? CONSENT_REASON_TEXT[recorded as ConsentReason] : '';
  const needsManager = rule.rule === 'manager-approval-required';

  if (status === 'refused') {
    if (
      !known ||
      !REFUSAL_OVERRIDE_REASONS.includes(recorded as ConsentReason) ||
      !purpose.allowedReasons.has(recorded!)
    ) {
      return deny(
        'POLICY.CONSENT_REFUSED',
        'consent was refused; a refusal can be overridden only where respecting it would place the child at risk of significant harm, recorded as the reason ("risk-of-significant-harm")',
      );
    }
    if (needsManager && managerApproved !== true) {
      return deny(
        'POLICY.MANAGER_APPROVAL_PENDING',
        'consent was refused; overriding the refusal needs a manager’s approval, which has not been recorded',
      );
    }
    return {
      ok: true,
      withoutConsent: true,
      reason: reason(
        'POLICY.CONSENT_OVERRIDDEN',
        `consent was refused but is overridden because ${reasonText}${needsManager ? ', with a manager’s approval' : ''}`,
      ),
    };
  }

  if (recorded === undefined || recorded === '') {
    return deny(
      'POLICY.CONSENT_REASON_REQUIRED',
      `consent has not been given; to share without it, record why (the agreement accepts ${accepted})`,
    );
  }
  if (!known || !purpose.allowedReasons.has(recorded)) {
    return deny(
      'POLICY.CONSENT_REASON_NOT_ACCEPTED',
      `the reason recorded for sharing without consent is not one the agreement accepts (${accepted})`,
    );
  }
  if (needsManager && managerApproved !== true) {
    return deny(
      'POLICY.MANAGER_APPROVAL_PENDING',
      'sharing without consent needs a manager’s approval, which has not been recorded',
    );
  }
  return {
    ok: true,
    withoutConsent: true,
    reason: reason(
      'POLICY.CONSENT_NOT_REQUIRED',
      `consent was not sought because ${reasonText}${needsManager ? ', and a manager approved sharing without it' : ''}`,
    ),
  };
}
