import { AddressBook, gpPractices, type Address, type GpPractice } from './area';
import { generateNhsNumber, unique } from './identifiers';
import {
  BOY_NAMES,
  GIRL_NAMES,
  MEN_NAMES,
  MIDDLE_NAMES_BOY,
  MIDDLE_NAMES_GIRL,
  SURNAMES,
  WOMEN_NAMES,
} from './names';
import { ageOn, Rng, WeightedTable } from './rng';

/** The truth about one synthetic person; agencies each hold their own imperfect copy. */
export interface Person {
  id: string;
  householdId: string;
  givenName: string;
  middleNames: string | null;
  familyName: string;
  /** A surname the person was known by before (a child who took a step-parent's name). */
  previousFamilyName: string | null;
  sex: 'F' | 'M';
  dob: number;
  isChild: boolean;
  nhsNumber: string;
  twinGroup: string | null;
  gp: GpPractice;
  gpRegisteredOn: number;
}

export type Risk = 'none' | 'low' | 'high';

export interface Household {
  id: string;
  address: Address;
  /** Where the household lived before moving in; agencies that have not caught up still hold it. */
  previousAddress: Address | null;
  movedInOn: number;
  risk: Risk;
  /** What lies behind the concern, used to make the agencies' records tell one story. */
  concerns: {
    domesticAbuse: boolean;
    substanceMisuse: boolean;
    mentalHealth: boolean;
    neglect: boolean;
  };
  adults: Person[];
  children: Person[];
  /** The mother's partner who is not the children's father (a step family), if any. */
  partnerOfParentId: string | null;
}

export interface Population {
  asOf: number;
  households: Household[];
  people: Person[];
  children: Person[];
  practices: GpPractice[];
  addresses: AddressBook;
}

export interface PopulationOptions {
  people: number;
  seed: number;
  asOf: number;
  /** Chance that a birth is twins; real UK maternities run at about 1.5%. */
  twinRate?: number;
}

const girls = new WeightedTable(GIRL_NAMES);
const boys = new WeightedTable(BOY_NAMES);
const women = new WeightedTable(WOMEN_NAMES);
const men = new WeightedTable(MEN_NAMES);
const surnames = new WeightedTable(SURNAMES);

const HOUSEHOLD_KINDS = new WeightedTable<
  'couple' | 'lone-mother' | 'lone-father' | 'step' | 'adults'
>([
  ['couple', 48],
  ['lone-mother', 20],
  ['lone-father', 3],
  ['step', 11],
  ['adults', 18],
]);
const CHILD_COUNTS = new WeightedTable<number>([
  [1, 36],
  [2, 38],
  [3, 17],
  [4, 7],
  [5, 2],
]);
const RISKS = new WeightedTable<Risk>([
  ['none', 82],
  ['low', 10],
  ['high', 8],
]);

/** Households of parents, step-parents and children (with twins) until `people` people exist. */
export function generatePopulation(options: PopulationOptions): Population {
  const rng = new Rng(options.seed);
  const names = rng.fork('names');
  const dates = rng.fork('dates');
  const ids = rng.fork('ids');
  const addresses = new AddressBook(rng.fork('addresses'));
  const practices = gpPractices(rng.fork('practices'));
  const practicesIn = new Map<string, GpPractice[]>();
  for (const p of practices)
    practicesIn.set(p.district, [...(practicesIn.get(p.district) ?? []), p]);
  const nhsNumbers = new Set<string>();
  const twinRate = options.twinRate ?? 0.02;
  const { asOf } = options;
  const households: Household[] = [];
  const people: Person[] = [];
  let nextPerson = 1;
  let nextTwins = 1;

  const makePerson = (
    household: string,
    sex: 'F' | 'M',
    dob: number,
    familyName: string,
    isChild: boolean,
    gp: GpPractice,
  ): Person => {
    const table = isChild ? (sex === 'F' ? girls : boys) : sex === 'F' ? women : men;
    const middle =
      isChild && names.chance(0.6)
        ? names.pick(sex === 'F' ? MIDDLE_NAMES_GIRL : MIDDLE_NAMES_BOY)
        : !isChild && names.chance(0.4)
          ? names.pick(sex === 'F' ? MIDDLE_NAMES_GIRL : MIDDLE_NAMES_BOY)
          : null;
    const person: Person = {
      id: `P${String(nextPerson++).padStart(7, '0')}`,
      householdId: household,
      givenName: table.draw(names),
      middleNames: middle,
      familyName,
      previousFamilyName: null,
      sex,
      dob,
      isChild,
      nhsNumber: unique(nhsNumbers, () => generateNhsNumber(ids)),
      twinGroup: null,
      gp,
      gpRegisteredOn: Math.max(dob + dates.int(14, 60), asOf - dates.int(30, 365 * 12)),
    };
    people.push(person);
    return person;
  };

  while (people.length < options.people) {
    const id = `H${String(households.length + 1).padStart(6, '0')}`;
    const kind = HOUSEHOLD_KINDS.draw(rng);
    const address = addresses.draw();
    const moved = rng.chance(0.25);
    const previousAddress = moved
      ? addresses.draw(rng.chance(0.7) ? address.district : undefined)
      : null;
    const movedInOn = moved ? asOf - rng.int(60, 900) : asOf - rng.int(1000, 6000);
    const gp = rng.pick(practicesIn.get(address.district) ?? practices);
    const risk = kind === 'adults' ? 'none' : RISKS.draw(rng);
    const concerned = risk !== 'none';
    const household: Household = {
      id,
      address,
      previousAddress,
      movedInOn,
      risk,
      concerns: {
        domesticAbuse: concerned && rng.chance(risk === 'high' ? 0.7 : 0.35),
        substanceMisuse: concerned && rng.chance(0.35),
        mentalHealth: concerned && rng.chance(0.4),
        neglect: concerned && rng.chance(risk === 'high' ? 0.5 : 0.2),
      },
      adults: [],
      children: [],
      partnerOfParentId: null,
    };
    households.push(household);

    const motherAge = rng.int(kind === 'adults' ? 19 : 21, kind === 'adults' ? 80 : 52);
    const motherDob = asOf - motherAge * 365 - rng.int(0, 364);
    const fatherDob = motherDob - rng.int(-3 * 365, 6 * 365);
    const fatherSurname = surnames.draw(names);
    const motherBirthSurname = surnames.draw(names);
    const married = kind === 'couple' && rng.chance(0.7);
    const motherSurname = married ? fatherSurname : motherBirthSurname;

    const mother =
      kind === 'lone-father' ? null : makePerson(id, 'F', motherDob, motherSurname, false, gp);
    if (mother) household.adults.push(mother);
    const stepFather =
      kind === 'step' ? makePerson(id, 'M', fatherDob, surnames.draw(names), false, gp) : null;
    const father =
      kind === 'couple' || kind === 'lone-father'
        ? makePerson(id, 'M', fatherDob, fatherSurname, false, gp)
        : null;
    if (stepFather) {
      household.adults.push(stepFather);
      household.partnerOfParentId = stepFather.id;
    }
    if (father) household.adults.push(father);
    if (kind === 'adults') {
      if (rng.chance(0.5))
        household.adults.push(makePerson(id, 'M', fatherDob, motherSurname, false, gp));
      continue;
    }

    // Children: the first born when the mother was 18-34, then spaced a year or more apart.
    const count = CHILD_COUNTS.draw(rng);
    const parentDob = mother ? motherDob : fatherDob;
    let birth = Math.max(
      parentDob + rng.int(18 * 365, 34 * 365),
      asOf - 17 * 365 - rng.int(0, 300),
    );
    const childSurname = (): string => {
      if (kind === 'couple')
        return rng.chance(0.04)
          ? `${motherBirthSurname}-${fatherSurname}`
          : rng.chance(0.9)
            ? fatherSurname
            : motherSurname;
      if (kind === 'lone-father') return fatherSurname;
      return rng.chance(0.55) ? fatherSurname : motherSurname;
    };
    for (let i = 0; i < count && birth <= asOf; i++) {
      const bornIntoStepFamily =
        kind === 'step' && i > 0 && i === count - 1 && stepFather !== null && rng.chance(0.6);
      const surname = bornIntoStepFamily && stepFather ? stepFather.familyName : childSurname();
      const twins = rng.chance(twinRate);
      const group = twins ? `T${String(nextTwins++).padStart(5, '0')}` : null;
      for (let t = 0; t < (twins ? 2 : 1); t++) {
        const sex =
          twins && t === 1 && rng.chance(0.35)
            ? household.children[household.children.length - 1].sex
            : rng.chance(0.51)
              ? 'M'
              : 'F';
        const child = makePerson(id, sex, birth, surname, true, gp);
        child.twinGroup = group;
        if (group && t === 1) {
          // Twins never share a given name.
          const sibling = household.children[household.children.length - 1];
          while (child.givenName === sibling.givenName)
            child.givenName = (child.sex === 'F' ? girls : boys).draw(names);
        }
        const firstTwin =
          group && t === 1 ? household.children[household.children.length - 1] : null;
        if (firstTwin) {
          child.familyName = firstTwin.familyName;
          child.previousFamilyName = firstTwin.previousFamilyName;
        } else if (kind === 'step' && stepFather && !bornIntoStepFamily && rng.chance(0.3)) {
          // Some children of a step family take the step-father's surname; old records keep the former one.
          child.previousFamilyName = child.familyName;
          child.familyName = stepFather.familyName;
        }
        household.children.push(child);
      }
      birth += rng.int(365, 4 * 365);
    }
  }

  const children = people.filter((p) => p.isChild && ageOn(p.dob, asOf) <= 17);
  return { asOf, households, people, children, practices, addresses };
}

/**
 * The grandmother who lives with a family the MASH hears about (named in the demo households
 * only; no agency holds her). Drawn from her own stream keyed by the household, so naming her
 * changes nothing else the seed produces.
 */
export function grandmotherOf(household: Household): {
  givenName: string;
  familyName: string;
  dob: number;
} | null {
  const mother = household.adults.find((a) => a.sex === 'F');
  if (!mother || household.children.length === 0) return null;
  const rng = new Rng(`grandmother:${household.id}`);
  return {
    givenName: women.draw(rng),
    familyName: mother.familyName,
    dob: mother.dob - rng.int(20 * 365, 32 * 365),
  };
}
