import {
  INFORMATIONAL_REASON_CODES,
  type CategoryObligation,
  type Decision,
  type DecisionReason,
} from './decision';
import { AGENCY_LABEL, MASK_LABEL, PURPOSE_LABEL } from './vocabulary';

/** `occurredOn` -> `occurred on`, `cppStart` -> `cpp start`. */
export function humaniseName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/[-_]+/g, ' ')
    .toLowerCase();
}

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** A reason's sentence as a clause that can follow "because". */
function clause(r: DecisionReason): string {
  const t = r.text.replace(/\.$/, '');
  return /^[A-Z][a-z]/.test(t) ? `${t.charAt(0).toLowerCase()}${t.slice(1)}` : t;
}

function describeCategory(c: CategoryObligation): string {
  const included = c.fields.filter((f) => f.action === 'include').map((f) => humaniseName(f.name));
  const masked = c.fields
    .filter((f) => f.action === 'mask')
    .map((f) =>
      f.mask === 'redact' || f.mask === undefined
        ? `${humaniseName(f.name)} redacted`
        : `${humaniseName(f.name)} as ${MASK_LABEL[f.mask]}`,
    );
  const parts = [included.join(', '), masked.join(', ')].filter((p) => p.length > 0);
  return `${humaniseName(c.name)} (${parts.join('; ')})`;
}

/**
 * One plain-English paragraph saying what an agency would share and why, for the dry run, e.g.
 * "Police would share occurrences (occurred on, type, role; location as partial postcode) for MASH
 * triage under Crime and Disorder Act 1998 s115, because …".
 */
export function explain(decision: Decision): string {
  const agency = AGENCY_LABEL[decision.agency] ?? decision.agency;
  const purpose = PURPOSE_LABEL[decision.purpose] ?? decision.purpose;
  const gateways = decision.legalGateways.map((g) => g.label);
  if (decision.decision === 'deny') {
    const blocking = decision.reasons.filter((r) => !INFORMATIONAL_REASON_CODES.has(r.code));
    const because = blocking.length > 0 ? list(blocking.map(clause)) : 'no rule permits it';
    return `${agency} would share nothing for ${purpose} because ${because}.`;
  }
  const categories = list(decision.obligations.categories.map(describeCategory));
  const under = gateways.length > 0 ? ` under ${list(gateways)}` : '';
  const because = list(
    decision.reasons
      .filter(
        (r) => r.code !== 'POLICY.BELOW_THRESHOLD' && r.code !== 'POLICY.NOT_SHARED_FOR_ADULTS',
      )
      .map(clause),
  );
  const dropped = decision.reasons
    .filter((r) => r.code === 'POLICY.BELOW_THRESHOLD' || r.code === 'POLICY.NOT_SHARED_FOR_ADULTS')
    .map((r) => ` ${r.text}`)
    .join('');
  const retention = ` The data may be kept for ${decision.obligations.retentionDays} days${
    decision.obligations.justificationRequired
      ? ', and the analyst must record a justification for the query'
      : ''
  }.`;
  return `${agency} would share ${categories} for ${purpose}${under}, because ${because}.${dropped}${retention}`;
}
