import {
  PoliceLocation,
  PoliceOccurrence,
  PoliceOccurrencePerson,
  PolicePerson,
  PolicePersonAddress,
  PoliceWarningMarker,
  type OccurrenceRole,
} from '../../apps/adapter-police/src/source';
import type { Address } from './area';
import { generatePncId, unique } from './identifiers';
import {
  agencyViews,
  dayBetween,
  heldIdentifier,
  householdOf,
  truthRow,
  type AgencySeed,
  type AgencyView,
  type BuildContext,
  type TruthRow,
} from './model';
import type { Household, Person } from './population';
import { ageOn, isoDay, type Rng } from './rng';

interface Occurrence {
  day: number;
  type: string;
  summary: string;
  domesticAbuse: boolean;
  address: Address;
  people: { person: Person; role: OccurrenceRole }[];
}

interface Template {
  type: string;
  role: OccurrenceRole;
  summary: string;
  marker?: [string, string];
}

const TEEN_TEMPLATES: Template[] = [
  {
    type: 'Missing person',
    role: 'victim',
    summary:
      'Reported missing overnight by carer; located next day and returned home. Return interview requested.',
  },
  {
    type: 'Missing person',
    role: 'victim',
    summary:
      'Failed to return from school; found in another town with older associates. Exploitation concerns noted.',
  },
  {
    type: 'Assault occasioning ABH',
    role: 'suspect',
    summary:
      'Fight outside school gates; other party sustained facial injury. Interviewed with appropriate adult.',
    marker: ['VI', 'Violent'],
  },
  {
    type: 'Common assault',
    role: 'victim',
    summary: 'Punched by a group of youths in the park; minor injuries, no suspects identified.',
  },
  {
    type: 'Theft from shop',
    role: 'suspect',
    summary: 'Detained by store security with alcohol concealed; community resolution.',
  },
  {
    type: 'Possession of cannabis',
    role: 'suspect',
    summary: 'Stop and search in town centre; small quantity of cannabis found. Youth caution.',
    marker: ['DR', 'Drugs'],
  },
  {
    type: 'Possession of offensive weapon',
    role: 'suspect',
    summary: 'Knife found on stop and search near the bus station. Referred to youth justice.',
    marker: ['WE', 'Weapons'],
  },
  {
    type: 'Robbery of personal property',
    role: 'victim',
    summary: 'Mobile phone taken under threat by two males on a bicycle.',
  },
  {
    type: 'Child criminal exploitation concern',
    role: 'victim',
    summary: 'Found in a flat linked to county lines drug supply; safeguarding referral made.',
  },
  {
    type: 'Malicious communications',
    role: 'victim',
    summary: 'Indecent images shared on social media by another pupil; school informed.',
  },
];
const CHILD_TEMPLATES: Template[] = [
  {
    type: 'Concern for welfare',
    role: 'victim',
    summary: 'Young child found alone at the address; parent returned after officers attended.',
  },
  {
    type: 'Concern for welfare',
    role: 'victim',
    summary: 'Neighbour reported shouting and a child crying for a long period; no injuries seen.',
  },
  {
    type: 'Road traffic collision',
    role: 'victim',
    summary:
      'Pedestrian child clipped by a car on the school run; treated at hospital, driver stopped.',
  },
  {
    type: 'Common assault',
    role: 'witness',
    summary: 'Child witnessed an assault in the street between two adults.',
  },
];
const ADULT_TEMPLATES: Template[] = [
  {
    type: 'Drink driving',
    role: 'suspect',
    summary: 'Stopped for manner of driving; positive roadside breath test.',
  },
  {
    type: 'Possession of controlled drug',
    role: 'suspect',
    summary: 'Class A drugs found during search of vehicle.',
    marker: ['DR', 'Drugs'],
  },
  {
    type: 'Public order offence',
    role: 'suspect',
    summary: 'Abusive and threatening behaviour outside licensed premises.',
  },
  {
    type: 'Criminal damage',
    role: 'suspect',
    summary: "Damage to a neighbour's car following a dispute.",
  },
  {
    type: 'Mental health incident',
    role: 'victim',
    summary: 'Detained under s136 Mental Health Act after threats of self-harm.',
    marker: ['MH', 'Mental health'],
  },
];
const DA_SUMMARIES = [
  'Verbal argument escalated to pushing; children present in the house. DASH risk assessment completed.',
  'Caller reported partner smashing items at the address; children in bedroom upstairs. Suspect left before arrival.',
  'Assault on partner with visible injury to face; suspect arrested. Children witnessed the incident.',
  'Ex-partner attended the address in breach of a non-molestation order; children present.',
  'Ongoing controlling behaviour disclosed to officers attending a noise complaint.',
];

/** The force's records: nominals with address history, occurrences and warning markers. */
export function buildPolice(ctx: BuildContext): AgencySeed {
  const rng = ctx.rng.fork('police');
  const { asOf } = ctx.population;
  const known = ctx.membership.known.police;
  const involved = new Map<string, number>();
  const occurrences: Occurrence[] = [];
  const add = (o: Occurrence) => {
    occurrences.push(o);
    for (const { person } of o.people) involved.set(person.id, (involved.get(person.id) ?? 0) + 1);
  };

  for (const household of ctx.population.households) {
    const members = [...household.adults, ...household.children].filter((p) => known.has(p.id));
    if (members.length === 0) continue;
    if (household.concerns.domesticAbuse)
      domesticIncidents(rng, household, members, asOf).forEach(add);
    for (const person of members) {
      if ((involved.get(person.id) ?? 0) > 0 && !rng.chance(0.3)) continue;
      const age = ageOn(person.dob, asOf);
      const templates = !person.isChild
        ? ADULT_TEMPLATES
        : age >= 12
          ? TEEN_TEMPLATES
          : CHILD_TEMPLATES;
      const count = person.isChild && age >= 12 && household.risk !== 'none' ? rng.int(1, 3) : 1;
      for (let i = 0; i < count; i++) {
        const template = rng.pick(templates);
        const day = dayBetween(
          rng,
          Math.max(person.dob + 365 * (person.isChild && age >= 12 ? 10 : 2), asOf - 3 * 365),
          asOf - 1,
        );
        const people: Occurrence['people'] = [{ person, role: template.role }];
        const carer = household.adults[0];
        if (person.isChild && carer && template.type === 'Missing person')
          people.push({ person: carer, role: 'person-reporting' });
        add({
          day,
          type: template.type,
          summary: template.summary,
          domesticAbuse: false,
          address:
            template.type === 'Concern for welfare'
              ? household.address
              : ctx.population.addresses.draw(),
          people,
        });
      }
    }
  }

  // Everyone the force holds, as the force holds them; PNC ids for suspects aged ten or over.
  const pncIds = new Set<string>();
  const truthPnc = new Map<string, string>();
  for (const o of occurrences) {
    for (const { person, role } of o.people) {
      if (
        role === 'suspect' &&
        ageOn(person.dob, o.day) >= 10 &&
        !truthPnc.has(person.id) &&
        rng.chance(0.7)
      ) {
        truthPnc.set(
          person.id,
          unique(pncIds, () => generatePncId(rng, new Date(o.day * 86_400_000).getUTCFullYear())),
        );
      }
    }
  }
  const people = ctx.population.people.filter((p) => involved.has(p.id));
  const persons: object[] = [];
  const addresses: object[] = [];
  const truth: TruthRow[] = [];
  const refOf = new Map<string, string>();
  const duplicates = new Map<string, string>();
  for (const view of agencyViews(ctx, 'police', people)) {
    const personId = rng.uuid();
    const unknownDob =
      !view.person.isChild &&
      !ctx.membership.clean.has(view.person.id) &&
      rng.chance(ctx.rates.missingDob);
    if (unknownDob) view.identity.corruptions.push('missing-dob');
    persons.push({
      personId,
      surname: view.identity.familyName,
      forename: view.identity.givenName,
      middleNames: view.person.middleNames,
      dateOfBirth: unknownDob ? null : isoDay(view.identity.dob),
      sex: view.person.sex,
      pncId: heldIdentifier(rng, truthPnc.get(view.person.id) ?? null, view),
    });
    addresses.push(...addressHistory(rng, personId, view, householdOf(ctx, view.person)));
    truth.push(truthRow('police', personId, view));
    if (view.duplicate) duplicates.set(view.person.id, personId);
    else refOf.set(view.person.id, personId);
  }

  const locations: object[] = [];
  const locationIds = new Map<string, string>();
  const occurrenceRows: object[] = [];
  const links: object[] = [];
  const markers: object[] = [];
  const markerSeen = new Set<string>();
  occurrences.sort((a, b) => a.day - b.day);
  let serial = 0;
  for (const o of occurrences) {
    const key = `${o.address.line}|${o.address.postcode}`;
    let locationId = locationIds.get(key);
    if (!locationId) {
      locationId = rng.uuid();
      locationIds.set(key, locationId);
      locations.push({
        locationId,
        addressLine: o.address.line,
        town: o.address.town,
        postcode: o.address.postcode,
        beatCode: `${o.address.district}${rng.int(1, 4)}`,
      });
    }
    const occurrenceId = rng.uuid();
    const date = isoDay(o.day);
    occurrenceRows.push({
      occurrenceId,
      occurrenceRef: `NN-${date.replace(/-/g, '')}-${String(++serial).padStart(5, '0')}`,
      occurredOn: date,
      reportedAt: new Date(o.day * 86_400_000 + rng.int(0, 86_399) * 1000).toISOString(),
      occurrenceType: o.type,
      locationId,
      summary: o.summary,
      domesticAbuseMarker: o.domesticAbuse,
    });
    const seen = new Set<string>();
    for (const { person, role } of o.people) {
      // A duplicate nominal collects some of the person's later occurrences.
      const duplicate = duplicates.get(person.id);
      const ref = duplicate && rng.chance(0.5) ? duplicate : refOf.get(person.id);
      if (!ref || seen.has(`${ref}|${role}`)) continue;
      seen.add(`${ref}|${role}`);
      links.push({ occurrenceId, personId: ref, role });
      const template = [...TEEN_TEMPLATES, ...ADULT_TEMPLATES].find(
        (t) => t.type === o.type && t.role === role && t.marker,
      );
      const marker: [string, string] | undefined =
        o.domesticAbuse && role === 'suspect' ? ['VI', 'Violent'] : template?.marker;
      if (marker && !markerSeen.has(`${ref}|${marker[0]}`)) {
        markerSeen.add(`${ref}|${marker[0]}`);
        markers.push({
          warningMarkerId: rng.uuid(),
          personId: ref,
          markerCode: marker[0],
          markerDescription: marker[1],
          addedOn: date,
        });
      }
    }
  }

  return {
    agency: 'police',
    tables: [
      { entity: PolicePerson, rows: persons },
      { entity: PolicePersonAddress, rows: addresses },
      { entity: PoliceLocation, rows: locations },
      { entity: PoliceOccurrence, rows: occurrenceRows },
      { entity: PoliceOccurrencePerson, rows: links },
      { entity: PoliceWarningMarker, rows: markers },
    ],
    truth,
  };
}

function domesticIncidents(
  rng: Rng,
  household: Household,
  members: Person[],
  asOf: number,
): Occurrence[] {
  const adults = members.filter((p) => !p.isChild);
  const suspect = adults.find((p) => p.sex === 'M') ?? (rng.chance(0.3) ? adults[0] : undefined);
  const victim = adults.find((p) => p !== suspect && p.sex === 'F');
  const children = members.filter((p) => p.isChild);
  const result: Occurrence[] = [];
  const count = rng.int(1, household.risk === 'high' ? 4 : 2);
  for (let i = 0; i < count; i++) {
    const day = dayBetween(rng, asOf - 3 * 365, asOf - 1);
    const people: Occurrence['people'] = [];
    if (suspect) people.push({ person: suspect, role: 'suspect' });
    if (victim) people.push({ person: victim, role: 'victim' });
    if (victim && rng.chance(0.6)) people.push({ person: victim, role: 'person-reporting' });
    for (const child of children)
      if (child.dob < day)
        people.push({ person: child, role: rng.chance(0.8) ? 'witness' : 'victim' });
    if (people.length === 0) continue;
    result.push({
      day,
      type: rng.pick([
        'Domestic incident',
        'Assault occasioning ABH (domestic)',
        'Common assault (domestic)',
        'Breach of non-molestation order',
      ]),
      summary: rng.pick(DA_SUMMARIES),
      domesticAbuse: true,
      address: household.address,
      people,
    });
  }
  return result;
}

function addressHistory(
  rng: Rng,
  personId: string,
  view: AgencyView,
  household: Household,
): object[] {
  const rows = [];
  // The force may only know the old address; if it knows both, the old one is closed.
  if (household.previousAddress && view.address !== household.previousAddress && rng.chance(0.4)) {
    const a = household.previousAddress;
    rows.push({
      personAddressId: rng.uuid(),
      personId,
      addressLine: a.line,
      town: a.town,
      postcode: a.postcode,
      validFrom: null,
      validTo: isoDay(household.movedInOn),
    });
  }
  const a = view.address;
  rows.push({
    personAddressId: rng.uuid(),
    personId,
    addressLine: a.line,
    town: a.town,
    postcode: a.postcode,
    validFrom: a === household.address ? isoDay(household.movedInOn) : null,
    validTo: null,
  });
  return rows;
}
