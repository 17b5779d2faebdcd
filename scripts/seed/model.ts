import type { Agency } from '@mash/contracts';
import type { EntityTarget, ObjectLiteral } from 'typeorm';
import type { Address } from './area';
import {
  agencyRates,
  mistypeIdentifier,
  recordIdentity,
  type CorruptionRates,
  type RecordedIdentity,
} from './corruption';
import type { Membership } from './membership';
import type { Household, Person, Population } from './population';
import type { Rng } from './rng';

/** Rows for one table, keyed by the entity's property names, in insertion order. */
export interface TableRows {
  entity: EntityTarget<ObjectLiteral>;
  rows: ObjectLiteral[];
}

/** Which agency record is which person: the answer key, never read by a matcher. */
export interface TruthRow {
  agency: Agency;
  recordRef: string;
  personId: string;
  householdId: string;
  isChild: boolean;
  twinGroup: string | null;
  corruptions: string[];
}

export interface AgencySeed {
  agency: Agency;
  tables: TableRows[];
  truth: TruthRow[];
}

/** What social care knows that health flags (CP-IS) must agree with. */
export interface CareFacts {
  cppStart: number | null;
  cppEnd: number | null;
  cppActive: boolean;
  lacStart: number | null;
  lacEnd: number | null;
  lacActive: boolean;
}

export interface BuildContext {
  population: Population;
  membership: Membership;
  rates: CorruptionRates;
  rng: Rng;
  households: Map<string, Household>;
  care: Map<string, CareFacts>;
}

/** One record an agency holds about a person, with the slips it made. */
export interface AgencyView {
  person: Person;
  identity: RecordedIdentity;
  address: Address;
  /** Whether the agency's copy of the national identifier is missing or mistyped. */
  identifierFate: 'kept' | 'missing' | 'wrong';
  duplicate: boolean;
}

export function householdOf(ctx: BuildContext, person: Person): Household {
  const household = ctx.households.get(person.householdId);
  if (!household) throw new Error(`unknown household ${person.householdId}`);
  return household;
}

/**
 * The records an agency holds for the people it knows: usually one each, sometimes a duplicate,
 * and for twins sometimes one twin recorded under the other's given name.
 */
export function agencyViews(ctx: BuildContext, agency: Agency, people: Person[]): AgencyView[] {
  const rng = ctx.rng.fork(`views:${agency}`);
  const rates = agencyRates(ctx.rates, agency);
  const views: AgencyView[] = [];
  const byTwinGroup = new Map<string, AgencyView>();
  for (const person of people) {
    const clean = ctx.membership.clean.has(person.id);
    const household = householdOf(ctx, person);
    const stale = !clean && household.previousAddress !== null && rng.chance(rates.staleAddress);
    const fate = clean
      ? 'kept'
      : rng.chance(rates.missingIdentifier)
        ? 'missing'
        : rng.chance(rates.wrongIdentifier)
          ? 'wrong'
          : 'kept';
    const view: AgencyView = {
      person,
      identity: recordIdentity(rng, person, rates, clean),
      address: stale && household.previousAddress ? household.previousAddress : household.address,
      identifierFate: fate,
      duplicate: false,
    };
    if (stale) view.identity.corruptions.push('stale-address');
    if (fate !== 'kept') view.identity.corruptions.push(`${fate}-identifier`);
    const twin = person.twinGroup ? byTwinGroup.get(person.twinGroup) : undefined;
    if (
      twin &&
      !ctx.membership.clean.has(twin.person.id) &&
      !clean &&
      rng.chance(rates.twinConfusion)
    ) {
      view.identity = {
        ...view.identity,
        givenName: twin.identity.givenName,
        familyName: twin.identity.familyName,
        dob: twin.identity.dob,
      };
      view.identity.corruptions.push('twin-confusion');
    }
    if (person.twinGroup) byTwinGroup.set(person.twinGroup, view);
    views.push(view);
    if (!clean && rng.chance(rates.duplicateRecord)) {
      views.push({
        ...view,
        identity: {
          ...view.identity,
          corruptions: [...view.identity.corruptions, 'duplicate-record'],
        },
        identifierFate: 'missing',
        duplicate: true,
      });
    }
  }
  return views;
}

/** The identifier as the agency holds it. */
export function heldIdentifier(rng: Rng, value: string | null, view: AgencyView): string | null {
  if (value === null) {
    // Nothing to lose or mistype: the record is not corrupted in that way after all.
    view.identity.corruptions = view.identity.corruptions.filter(
      (c) => c !== 'missing-identifier' && c !== 'wrong-identifier',
    );
    return null;
  }
  if (view.identifierFate === 'missing') return null;
  return view.identifierFate === 'wrong' ? mistypeIdentifier(rng, value) : value;
}

export function truthRow(agency: Agency, recordRef: string, view: AgencyView): TruthRow {
  return {
    agency,
    recordRef,
    personId: view.person.id,
    householdId: view.person.householdId,
    isChild: view.person.isChild,
    twinGroup: view.person.twinGroup,
    corruptions: view.identity.corruptions,
  };
}

/** A day inside [from, to], clamped so that nothing happens before birth or after today. */
export function dayBetween(rng: Rng, from: number, to: number): number {
  return to <= from ? from : rng.int(from, to);
}
