import type { Agency } from '@mash/contracts';
import { AddressBook, LA_NUMBER, schools as makeSchools, type School } from './area';
import { generateTemporaryUpn, generateUpn, unique } from './identifiers';
import type { Person, Population } from './population';
import { ageOn, Rng, toDay, isoDay } from './rng';

const DAY_MS = 86_400_000;

/** Academic year (the calendar year it starts in, on 1 September) a day falls in. */
export function academicYear(day: number): number {
  const d = new Date(day * DAY_MS);
  return d.getUTCMonth() >= 8 ? d.getUTCFullYear() : d.getUTCFullYear() - 1;
}

/** National Curriculum year on a day: 0 = Reception (the September after the 4th birthday's academic year). */
export function ncYear(dob: number, on: number): number {
  return academicYear(on) - (academicYear(dob) + 5);
}

export interface Schooling {
  upn: string;
  formerUpn: string | null;
  school: School;
  /** The primary school a secondary pupil left, if any. */
  previousSchool: School | null;
  ncYear: number;
  entryDate: number;
}

export interface Membership {
  known: Record<Agency, Set<string>>;
  schooling: Map<string, Schooling>;
  schools: School[];
  /** Children whose records no agency corrupts; the demo subjects come from them. */
  clean: Set<string>;
  /** The clean children to offer in subjects.json, in order. */
  demo: Person[];
}

export interface MembershipOptions {
  cleanDemo: number;
}

/**
 * Who each agency knows. Health knows nearly everyone, education every school-age pupil it
 * enrols, police and children's social care mostly families where there is concern.
 */
export function assignMembership(
  population: Population,
  rng: Rng,
  options: MembershipOptions,
): Membership {
  const { asOf } = population;
  const known: Record<Agency, Set<string>> = {
    police: new Set(),
    health: new Set(),
    education: new Set(),
    'social-care': new Set(),
  };
  const book = new AddressBook(rng.fork('school-sites'));
  const schoolAge = population.children.filter((c) => ncYear(c.dob, asOf) >= 0);
  const primary = schoolAge.filter((c) => ncYear(c.dob, asOf) <= 6).length;
  const schools = makeSchools(rng.fork('schools'), book, primary, schoolAge.length - primary);
  const upns = new Set<string>();
  const schooling = new Map<string, Schooling>();
  const householdOf = new Map(population.households.map((h) => [h.id, h]));

  for (const child of schoolAge) {
    const year = ncYear(child.dob, asOf);
    const household = householdOf.get(child.householdId);
    if (!household) continue;
    if (year > 13 || (year >= 12 && !rng.chance(0.55))) continue;
    // Some children are not on any school roll: elective home education, missing from education.
    if (year <= 11 && rng.chance(household.risk === 'high' ? 0.06 : 0.02)) continue;
    const local = (phase: School['phase']) => {
      const near = schools.filter(
        (s) => s.phase === phase && s.district === household.address.district,
      );
      return rng.pick(near.length > 0 ? near : schools.filter((s) => s.phase === phase));
    };
    const firstSchool = local('Primary');
    const receptionStart = academicYear(child.dob) + 5;
    const school = year >= 7 ? local('Secondary') : firstSchool;
    const temporary = rng.chance(0.05);
    const upn = unique(upns, () => generateUpn(rng, LA_NUMBER, receptionStart));
    const formerUpn = temporary
      ? unique(upns, () => generateTemporaryUpn(rng, LA_NUMBER, firstSchool.estab, receptionStart))
      : null;
    const startYear = year >= 7 ? academicYear(asOf) - (year - 7) : receptionStart;
    const midYearMover = rng.chance(0.1);
    const entryDate = midYearMover
      ? Math.min(asOf, toDay(`${startYear}-09-01`) + rng.int(30, 600))
      : toDay(`${startYear}-09-0${rng.int(2, 6)}`);
    schooling.set(child.id, {
      upn,
      formerUpn,
      school,
      previousSchool: year >= 7 ? firstSchool : null,
      ncYear: year,
      entryDate,
    });
    known.education.add(child.id);
  }

  const policeHousehold = { high: 0.75, low: 0.35, none: 0 };
  const socialCareHousehold = { high: 0.7, low: 0.25, none: 0 };
  for (const household of population.households) {
    const policeFamily = rng.chance(policeHousehold[household.risk]);
    const socialCareFamily = rng.chance(socialCareHousehold[household.risk]);
    for (const person of [...household.adults, ...household.children]) {
      if (rng.chance(person.isChild ? 0.97 : 0.93)) known.health.add(person.id);
      if (!person.isChild) {
        if (policeFamily && (household.concerns.domesticAbuse || rng.chance(0.5)))
          known.police.add(person.id);
        continue;
      }
      const age = ageOn(person.dob, asOf);
      if (policeFamily ? rng.chance(0.85) : rng.chance(age >= 12 ? 0.11 : 0.035))
        known.police.add(person.id);
      if (socialCareFamily ? rng.chance(0.9) : rng.chance(0.012))
        known['social-care'].add(person.id);
    }
  }

  // The demo children: at least three (here four) known to all four agencies, then a few more.
  const clean = new Set<string>();
  const demo: Person[] = [];
  const eligible = (c: Person) => c.twinGroup === null && c.previousFamilyName === null;
  const candidates = rng.shuffle(population.children.filter(eligible));
  const allFourWanted = Math.min(4, options.cleanDemo);
  for (const child of candidates) {
    if (demo.length >= allFourWanted) break;
    const s = schooling.get(child.id);
    const household = householdOf.get(child.householdId);
    if (!s || s.ncYear < 1 || s.ncYear > 11 || household?.risk !== 'high') continue;
    // The first can be tried with day and month swapped (the matcher's transposed-date case).
    if (demo.length === 0 && !swappable(child.dob)) continue;
    for (const agency of Object.keys(known) as Agency[]) known[agency].add(child.id);
    demo.push(child);
  }
  for (const child of candidates) {
    if (demo.length >= options.cleanDemo) break;
    if (demo.includes(child)) continue;
    const knownTo = (Object.keys(known) as Agency[]).filter((a) => known[a].has(child.id));
    if (knownTo.length < 2) continue;
    demo.push(child);
  }
  for (const child of demo) clean.add(child.id);
  return { known, schooling, schools, clean, demo };
}

/** Whether a birth date still reads as a date with day and month swapped, and a different one. */
function swappable(dob: number): boolean {
  const [, month, day] = isoDay(dob).split('-').map(Number);
  return day <= 12 && day !== month;
}
