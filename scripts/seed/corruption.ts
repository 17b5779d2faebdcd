import type { Agency } from '@mash/contracts';
import { NICKNAMES } from './names';
import type { Person } from './population';
import type { Rng } from './rng';

/** Per-record chances that an agency holds something different from the truth. */
export interface CorruptionRates {
  givenNameTypo: number;
  familyNameTypo: number;
  /** Recorded under a familiar form (Ollie for Oliver); police see far more of this. */
  nickname: number;
  /** A child who changed surname is still held under the former one. */
  staleSurname: number;
  /** Day and month swapped (only possible when both are 12 or less). */
  dobTransposed: number;
  dobOffByOne: number;
  /** Date of birth not recorded at all (police, for adults who gave none). */
  missingDob: number;
  /** Of people who moved house, the share an agency still holds at the old address. */
  staleAddress: number;
  missingIdentifier: number;
  wrongIdentifier: number;
  /** The same person held twice (a second registration, a new nominal). */
  duplicateRecord: number;
  /** Per twin pair held by one agency: one twin recorded under the other's given name. */
  twinConfusion: number;
}

export const DEFAULT_CORRUPTION: CorruptionRates = {
  givenNameTypo: 0.01,
  familyNameTypo: 0.01,
  nickname: 0.02,
  staleSurname: 0.5,
  dobTransposed: 0.005,
  dobOffByOne: 0.003,
  missingDob: 0.03,
  staleAddress: 0.3,
  missingIdentifier: 0.02,
  wrongIdentifier: 0.005,
  duplicateRecord: 0.01,
  twinConfusion: 0.2,
};

/** How much more (or less) each agency's practice produces each kind of error. */
const AGENCY_BIAS: Record<Agency, Partial<Record<keyof CorruptionRates, number>>> = {
  police: {
    nickname: 4,
    givenNameTypo: 2,
    familyNameTypo: 2,
    dobTransposed: 2,
    duplicateRecord: 2,
    staleAddress: 1.5,
  },
  health: { nickname: 0.3, staleSurname: 1, staleAddress: 1.2 },
  education: { nickname: 1.5, staleSurname: 0.3, staleAddress: 0.5 },
  'social-care': { missingIdentifier: 4 },
};

export function scaleRates(rates: CorruptionRates, scale: number): CorruptionRates {
  const result = { ...rates };
  for (const key of Object.keys(result) as (keyof CorruptionRates)[])
    result[key] = Math.min(1, result[key] * scale);
  return result;
}

export function agencyRates(rates: CorruptionRates, agency: Agency): CorruptionRates {
  const result = { ...rates };
  for (const [key, factor] of Object.entries(AGENCY_BIAS[agency]) as [
    keyof CorruptionRates,
    number,
  ][]) {
    result[key] = Math.min(1, result[key] * factor);
  }
  return result;
}

export interface RecordedIdentity {
  givenName: string;
  familyName: string;
  dob: number;
  corruptions: string[];
}

const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'sq',
  b: 'vn',
  c: 'xv',
  d: 'sf',
  e: 'wr',
  f: 'dg',
  g: 'fh',
  h: 'gj',
  i: 'uo',
  j: 'hk',
  k: 'jl',
  l: 'k',
  m: 'n',
  n: 'bm',
  o: 'ip',
  p: 'o',
  q: 'w',
  r: 'et',
  s: 'ad',
  t: 'ry',
  u: 'yi',
  v: 'cb',
  w: 'qe',
  x: 'zc',
  y: 'tu',
  z: 'x',
};

/** One keying or phonetic slip: a neighbouring key, a dropped or doubled letter, a swap, a sound-alike. */
export function typo(rng: Rng, value: string): string {
  if (value.length < 3) return value;
  const phonetic: [RegExp, string][] = [
    [/ph/i, 'f'],
    [/ie$/i, 'y'],
    [/y$/i, 'ie'],
    [/ck/i, 'k'],
    [/ou/i, 'o'],
    [/ll/i, 'l'],
    [/ee/i, 'ea'],
    [/th/i, 't'],
  ];
  const kind = rng.int(0, 4);
  const i = rng.int(1, value.length - 2);
  const lower = value[i].toLowerCase();
  switch (kind) {
    case 0: {
      const near = KEYBOARD_NEIGHBOURS[lower];
      return near
        ? value.slice(0, i) + rng.pick([...near]) + value.slice(i + 1)
        : value.slice(0, i) + value.slice(i + 1);
    }
    case 1:
      return value.slice(0, i) + value.slice(i + 1);
    case 2:
      return value.slice(0, i) + value[i] + value.slice(i);
    case 3:
      return value[i] === value[i + 1]
        ? value.slice(0, i) + value.slice(i + 1)
        : value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2);
    default: {
      const rule = phonetic.find(([pattern]) => pattern.test(value));
      return rule
        ? value.replace(rule[0], (m) =>
            m[0] === m[0].toUpperCase() ? rule[1].toUpperCase() + rule[1].slice(1) : rule[1],
          )
        : value.slice(0, i) + value.slice(i + 1);
    }
  }
}

const DAY_MS = 86_400_000;

function transposeDayMonth(dob: number): number | null {
  const d = new Date(dob * DAY_MS);
  const day = d.getUTCDate();
  const month = d.getUTCMonth() + 1;
  if (day > 12 || day === month) return null;
  return Math.floor(Date.UTC(d.getUTCFullYear(), day - 1, month) / DAY_MS);
}

/** The name and date of birth an agency holds for a person, and what went wrong on the way. */
export function recordIdentity(
  rng: Rng,
  person: Person,
  rates: CorruptionRates,
  clean: boolean,
): RecordedIdentity {
  const result: RecordedIdentity = {
    givenName: person.givenName,
    familyName: person.familyName,
    dob: person.dob,
    corruptions: [],
  };
  if (clean) return result;
  if (person.previousFamilyName && rng.chance(rates.staleSurname)) {
    result.familyName = person.previousFamilyName;
    result.corruptions.push('stale-surname');
  }
  const nicknames = NICKNAMES[person.givenName];
  if (nicknames && rng.chance(rates.nickname)) {
    result.givenName = rng.pick(nicknames);
    result.corruptions.push('nickname');
  } else if (rng.chance(rates.givenNameTypo)) {
    const changed = typo(rng, result.givenName);
    if (changed !== result.givenName) {
      result.givenName = changed;
      result.corruptions.push('given-name-typo');
    }
  }
  if (rng.chance(rates.familyNameTypo)) {
    const changed = typo(rng, result.familyName);
    if (changed !== result.familyName) {
      result.familyName = changed;
      result.corruptions.push('family-name-typo');
    }
  }
  if (rng.chance(rates.dobTransposed)) {
    const swapped = transposeDayMonth(person.dob);
    if (swapped !== null) {
      result.dob = swapped;
      result.corruptions.push('dob-transposed');
    }
  } else if (rng.chance(rates.dobOffByOne)) {
    result.dob += rng.chance(0.5) ? 1 : -1;
    result.corruptions.push('dob-off-by-one');
  }
  return result;
}

/** Two adjacent characters swapped: the commonest slip when a number is keyed by hand. */
export function mistypeIdentifier(rng: Rng, value: string): string {
  for (let attempt = 0; attempt < 10; attempt++) {
    const i = rng.int(1, value.length - 2);
    const swapped = value.slice(0, i) + value[i + 1] + value[i] + value.slice(i + 2);
    if (swapped !== value) return swapped;
  }
  return value.slice(0, -1) + (value.endsWith('1') ? '2' : '1');
}
