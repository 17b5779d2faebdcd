import { isValidNhsNumber, isValidUpn } from '@mash/matching';
import type { MemberUpdateDto } from '../cases/case.dto';
import type { MemberView } from '../cases/member.service';
import type { AgencyView, QueryView } from '../queries/query.service';
import { addError, noErrors, text, type ParsedForm } from './forms';

/** One agency's latest answer about one person, when it could not tell who they are. */
export interface PossibleMatch {
  agency: string;
  queryId: string;
  purpose: string;
  askedAt: string;
  status: AgencyView['status'];
  match?: AgencyView['match'];
  resolution?: AgencyView['resolution'];
}

/** A person on the case with at least one possible match, and what the analyst can do. */
export interface PersonMatches {
  memberId: string;
  relationship: string;
  name: string;
  /** Agencies whose latest answer about the person is still a possible match (maybe confirmed). */
  open: PossibleMatch[];
  /** Possible matches since settled: by a later answer, or by the agency's representative. */
  settled: Array<PossibleMatch & { settledBy: 'answer' | 'representative'; now: string }>;
  /** A question about the person is still waiting for an agency. */
  waiting: boolean;
  identifiers: Record<string, string>;
}

/**
 * The possible matches on a case, by person. For each person and agency the latest question that
 * asked that agency about that person decides: a possible match there is open until the agency's
 * representative settles it or a later question gets a definite answer. `queries` is newest first.
 */
export function possibleMatches(queries: QueryView[], members: MemberView[]): PersonMatches[] {
  const subject = members.find((m) => m.relationship === 'subject');
  const people = new Map<string, PersonMatches>();
  const latest = new Map<string, { query: QueryView; part: AgencyView }>();
  const earlierPossible = new Map<string, { query: QueryView; part: AgencyView }>();
  for (const query of queries)
    for (const part of query.agencies) {
      const memberId = part.memberId ?? subject?.id;
      if (!memberId) continue;
      const key = `${memberId}|${part.agency}`;
      if (!latest.has(key)) latest.set(key, { query, part });
      else if (part.status === 'possible-match' && !earlierPossible.has(key))
        earlierPossible.set(key, { query, part });
    }
  const person = (memberId: string): PersonMatches => {
    let p = people.get(memberId);
    if (!p) {
      const m = members.find((x) => x.id === memberId);
      p = {
        memberId,
        relationship: m?.relationship ?? 'unknown',
        name: m && !m.dataDeleted ? [m.givenName, m.familyName].filter(Boolean).join(' ') : '',
        open: [],
        settled: [],
        waiting: false,
        identifiers: { ...(m?.identifiers ?? {}) },
      };
      people.set(memberId, p);
    }
    return p;
  };
  const asMatch = ({ query, part }: { query: QueryView; part: AgencyView }): PossibleMatch => ({
    agency: part.agency,
    queryId: query.id,
    purpose: query.purpose,
    askedAt: query.createdAt,
    status: part.status,
    ...(part.match ? { match: part.match } : {}),
    ...(part.resolution ? { resolution: part.resolution } : {}),
  });
  for (const [key, last] of latest) {
    const memberId = key.slice(0, key.indexOf('|'));
    const earlier = earlierPossible.get(key);
    // A confirmed candidate stays a possible match: the agency shares only once asked again
    // with what identifies the person. A rejected one became `no-match`.
    if (last.part.status === 'possible-match') {
      person(memberId).open.push(asMatch(last));
    } else if (last.part.resolution) {
      person(memberId).settled.push({
        ...asMatch(last),
        settledBy: 'representative',
        now: last.part.status,
      });
    } else if (earlier) {
      const p = person(memberId);
      if (['pending', 'queued'].includes(last.part.status)) p.waiting = true;
      else if (['match', 'no-match'].includes(last.part.status))
        p.settled.push({ ...asMatch(earlier), settledBy: 'answer', now: last.part.status });
      // Asked again but refused, timed out or failed: nothing was settled, so it is still open.
      else p.open.push(asMatch(earlier));
    }
  }
  // The household's order: the child first, then members as the case lists them.
  const order = members.map((m) => m.id);
  return [...people.values()].sort((a, b) => order.indexOf(a.memberId) - order.indexOf(b.memberId));
}

/** The identifier boxes of "Add what would settle it", one set per person (`settle-<id>-…`). */
export const SETTLE_FIELDS = [
  { name: 'nhsNumber', label: 'NHS number', hint: '10 digits, for example 943 476 5919' },
  {
    name: 'upn',
    label: 'Unique pupil number (UPN)',
    hint: '13 characters, for example A123456789012',
  },
  { name: 'pncId', label: 'Police National Computer ID', hint: 'For example 2001/0123456A' },
  {
    name: 'laChildId',
    label: "Children's social care ID",
    hint: "The local authority's own number",
  },
  {
    name: 'previousFamilyName',
    label: 'Previous family name',
    hint: 'A family name they were known by before, for example before a marriage',
  },
  { name: 'postcode', label: 'Postcode', hint: 'Where the family lives now' },
] as const;

export function settleFieldId(memberId: string, name: string): string {
  return `settle-${memberId}-${name}`;
}

/**
 * "Add what would settle it" as the member update the API takes, or the problems in plain
 * English. The checked identifiers are checked here (an NHS number's check digit, a UPN's check
 * letter) so that a typing mistake is caught before the agencies are asked again.
 */
export function settleFromForm(
  form: Record<string, unknown>,
  memberId: string,
): ParsedForm<MemberUpdateDto> {
  const errors = noErrors();
  const id = (name: string) => settleFieldId(memberId, name);
  const value = (name: string) => text(form[id(name)]);
  const compact = (name: string) => value(name)?.replace(/\s+/g, '');
  const identifiers: Record<string, string> = {};
  const nhsNumber = compact('nhsNumber');
  if (nhsNumber !== undefined) {
    if (!/^\d{10}$/.test(nhsNumber))
      addError(errors, id('nhsNumber'), 'NHS number must be 10 digits, like 943 476 5919');
    else if (!isValidNhsNumber(nhsNumber))
      addError(errors, id('nhsNumber'), 'Enter a real NHS number: its last digit does not check');
    else identifiers.nhsNumber = nhsNumber;
  }
  const upn = compact('upn')?.toUpperCase();
  if (upn !== undefined) {
    if (!isValidUpn(upn))
      addError(
        errors,
        id('upn'),
        'Enter a real unique pupil number: 13 characters, a letter first',
      );
    else identifiers.upn = upn;
  }
  for (const [name, max, label] of [
    ['pncId', 30, 'Police National Computer ID'],
    ['laChildId', 30, "children's social care ID"],
  ] as const) {
    const v = value(name);
    if (v === undefined) continue;
    if (v.length > max)
      addError(errors, id(name), `The ${label} must be ${max} characters or fewer`);
    else identifiers[name] = v;
  }
  const previous = value('previousFamilyName');
  if (previous !== undefined && previous.length > 100)
    addError(
      errors,
      id('previousFamilyName'),
      'The previous family name must be 100 characters or fewer',
    );
  const postcode = value('postcode')?.toUpperCase();
  if (postcode !== undefined && !/^[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$/.test(postcode))
    addError(errors, id('postcode'), 'Enter a real postcode, like NN1 1AA');
  if (errors.summary.length) return { success: false, errors };
  const update: MemberUpdateDto = {
    ...(Object.keys(identifiers).length ? { identifiers } : {}),
    ...(previous ? { previousFamilyNames: [previous] } : {}),
    ...(postcode ? { postcode } : {}),
  };
  if (!Object.keys(update).length) {
    addError(errors, id('nhsNumber'), 'Enter at least one detail that would settle the match');
    return { success: false, errors };
  }
  return { success: true, data: update };
}
