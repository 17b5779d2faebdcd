import {
  HealthEncounter,
  HealthFlag,
  HealthOrganization,
  HealthPatient,
} from '../../apps/adapter-health/src/source';
import { TRUST } from './area';
import {
  agencyViews,
  dayBetween,
  heldIdentifier,
  householdOf,
  truthRow,
  type AgencySeed,
  type BuildContext,
  type TruthRow,
} from './model';
import { ageOn, isoDay, WeightedTable } from './rng';

const DEPARTMENTS = new WeightedTable<string>([
  ['Paediatric Emergency Department', 50],
  ['Emergency Department', 25],
  ['Urgent Treatment Centre', 20],
  ['Minor Injuries Unit', 5],
]);
const YOUNG_REASONS = [
  'Head injury',
  'Fall',
  'Fever',
  'Breathing difficulty',
  'Ingestion of substance',
  'Burn',
  'Rash',
  'Vomiting',
  'Laceration',
  'Suspected fracture',
];
const OLDER_REASONS = [
  'Sports injury',
  'Suspected fracture',
  'Abdominal pain',
  'Asthma',
  'Allergic reaction',
  'Laceration',
  'Head injury',
  'Sprain',
];
const TEEN_CONCERN_REASONS = [
  'Self-harm',
  'Overdose',
  'Alcohol intoxication',
  'Assault',
  'Mental health crisis',
];
const INJURY_REASONS = ['Bruising', 'Head injury', 'Burn', 'Suspected fracture'];
const OUTCOMES = new WeightedTable<string>([
  ['Discharged home', 60],
  ['Discharged - GP follow-up', 15],
  ['Admitted to ward', 12],
  ['Left before being seen', 6],
  ["Referred to children's social care", 4],
  ['Referred to CAMHS', 3],
]);

/** The trust's patient store: patients (children and adults), A&E encounters, CP-IS flags and adults' safeguarding flags. */
export function buildHealth(ctx: BuildContext): AgencySeed {
  const rng = ctx.rng.fork('health');
  const { asOf } = ctx.population;
  const people = ctx.population.people.filter((p) => ctx.membership.known.health.has(p.id));
  const patients: object[] = [];
  const encounters: object[] = [];
  const flags: object[] = [];
  const truth: TruthRow[] = [];
  /** Each adult's (first) patient record, for the adult safeguarding flags drawn afterwards. */
  const adultPatients = new Map<string, string>();

  for (const view of agencyViews(ctx, 'health', people)) {
    const { person } = view;
    const patientId = rng.uuid();
    const nhsNumber = heldIdentifier(rng, person.nhsNumber, view);
    patients.push({
      patientId,
      nhsNumber,
      // 01 verified against PDS; 02 present but not traced (a mistyped number never traces); 03 trace required.
      nhsNumberVerificationStatus:
        nhsNumber === null
          ? '03'
          : view.identifierFate === 'wrong' || rng.chance(0.03)
            ? '02'
            : '01',
      familyName: view.identity.familyName,
      givenName: view.identity.givenName,
      otherGivenNames: person.middleNames,
      birthDate: isoDay(view.identity.dob),
      gender: person.sex === 'M' ? 'male' : 'female',
      addressLine: view.address.line,
      addressCity: view.address.town,
      addressPostcode: view.address.postcode,
      generalPractitionerOds: view.duplicate ? null : person.gp.odsCode,
      gpRegisteredOn: view.duplicate ? null : isoDay(person.gpRegisteredOn),
    });
    truth.push(truthRow('health', patientId, view));
    if (!view.duplicate && !person.isChild) adultPatients.set(person.id, patientId);
    if (view.duplicate || !person.isChild) continue;

    const household = householdOf(ctx, person);
    const age = ageOn(person.dob, asOf);
    const windowStart = Math.max(person.dob, asOf - 3 * 365);
    const rate = household.risk === 'high' ? 1.1 : household.risk === 'low' ? 0.6 : 0.3;
    const count = rng.poisson(rate * ((asOf - windowStart) / 365));
    for (let i = 0; i < count; i++) {
      const day = dayBetween(rng, windowStart, asOf - 1);
      const ageThen = ageOn(person.dob, day);
      const concern = household.risk !== 'none' && rng.chance(0.35);
      const reason =
        concern && ageThen >= 12
          ? rng.pick(TEEN_CONCERN_REASONS)
          : concern && ageThen < 5
            ? rng.pick(INJURY_REASONS)
            : rng.pick(ageThen < 5 ? YOUNG_REASONS : OLDER_REASONS);
      const start = new Date(day * 86_400_000 + rng.int(0, 86_399) * 1000);
      encounters.push({
        encounterId: rng.uuid(),
        patientId,
        classCode: 'EMER',
        periodStart: start.toISOString(),
        department: age >= 16 && rng.chance(0.5) ? 'Emergency Department' : DEPARTMENTS.draw(rng),
        reasonText: reason,
        dischargeDisposition:
          concern && rng.chance(0.3) ? "Referred to children's social care" : OUTCOMES.draw(rng),
        serviceProviderOds: TRUST.odsCode,
      });
    }

    const care = ctx.care.get(person.id);
    if (care?.cppStart != null) {
      flags.push({
        flagId: rng.uuid(),
        patientId,
        code: 'CPP',
        status: care.cppActive ? 'active' : 'inactive',
        periodStart: isoDay(care.cppStart),
        periodEnd: care.cppEnd === null ? null : isoDay(care.cppEnd),
      });
    }
    if (care?.lacStart != null) {
      flags.push({
        flagId: rng.uuid(),
        patientId,
        code: 'LAC',
        status: care.lacActive ? 'active' : 'inactive',
        periodStart: isoDay(care.lacStart),
        periodEnd: care.lacEnd === null ? null : isoDay(care.lacEnd),
      });
    }
  }

  flags.push(...adultFlags(ctx, adultPatients));

  const organizations = [
    { odsCode: TRUST.odsCode, name: TRUST.name, kind: 'trust' },
    ...ctx.population.practices.map((p) => ({
      odsCode: p.odsCode,
      name: p.name,
      kind: 'gp-practice',
    })),
  ];
  return {
    agency: 'health',
    tables: [
      { entity: HealthOrganization, rows: organizations },
      { entity: HealthPatient, rows: patients },
      { entity: HealthEncounter, rows: encounters },
      { entity: HealthFlag, rows: flags },
    ],
    truth,
  };
}

/**
 * Adult safeguarding flags the trust holds about parents: a mental health flag on the mother
 * (the father where she is not in the home) where mental health lies behind the family's concern,
 * a substance misuse flag on a man in the home (else the mother) where substance misuse does.
 * Drawn from a stream of their own, after every other row, so nothing else the seed writes moves.
 */
function adultFlags(ctx: BuildContext, patients: ReadonlyMap<string, string>): object[] {
  const rng = ctx.rng.fork('health:adult-flags');
  const { asOf } = ctx.population;
  const flags: object[] = [];
  const flag = (personId: string | undefined, code: 'MH' | 'SM') => {
    const patientId = personId ? patients.get(personId) : undefined;
    if (!patientId) return;
    const active = rng.chance(0.8);
    const start = asOf - rng.int(60, 4 * 365);
    flags.push({
      flagId: rng.uuid(),
      patientId,
      code,
      status: active ? 'active' : 'inactive',
      periodStart: isoDay(start),
      periodEnd: active ? null : isoDay(dayBetween(rng, start + 30, asOf - 1)),
    });
  };
  for (const household of ctx.population.households) {
    if (household.children.length === 0) continue;
    const mother = household.adults.find((a) => a.sex === 'F');
    const man = household.adults.find((a) => a.sex === 'M');
    if (household.concerns.mentalHealth) flag((mother ?? household.adults[0])?.id, 'MH');
    if (household.concerns.substanceMisuse) flag((man ?? mother)?.id, 'SM');
  }
  return flags;
}
