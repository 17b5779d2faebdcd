import { STREET_NAMES } from './names';
import type { Rng } from './rng';

/** One town's postcode districts, so addresses, practices and schools look like one place. */
export const TOWN = 'Northampton';
/** West Northamptonshire's LA number, used in UPNs and LAESTABs. */
export const LA_NUMBER = '941';

export const DISTRICTS: readonly { district: string; areas: readonly string[] }[] = [
  { district: 'NN1', areas: ['Abington', 'Semilong', 'Spring Boroughs'] },
  { district: 'NN2', areas: ['Kingsthorpe', 'Boughton Green', 'Kingsthorpe Hollow'] },
  { district: 'NN3', areas: ['Parklands', 'Lings', 'Thorplands', 'Ecton Brook', 'Moulton'] },
  { district: 'NN4', areas: ['Far Cotton', 'Hunsbury', 'Grange Park', 'Wootton'] },
  { district: 'NN5', areas: ['Duston', 'St James', 'Kings Heath'] },
];

export interface Address {
  line: string;
  town: string;
  postcode: string;
  district: string;
  area: string;
}

const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

interface Street {
  name: string;
  district: string;
  area: string;
  postcodes: string[];
  next: number;
}

/** Hands out distinct addresses; streets belong to one district and share a few unit postcodes. */
export class AddressBook {
  private readonly streets: Street[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly rng: Rng) {
    for (const name of STREET_NAMES) {
      for (const { district, areas } of DISTRICTS) {
        if (!rng.chance(0.45)) continue;
        const sector = rng.int(1, 9);
        const postcodes = Array.from(
          { length: rng.int(2, 4) },
          () =>
            `${district} ${sector}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`,
        );
        this.streets.push({ name, district, area: rng.pick(areas), postcodes, next: 1 });
      }
    }
  }

  private readonly byDistrict = new Map<string, Street[]>();

  draw(district?: string): Address {
    let candidates = this.streets;
    if (district) {
      candidates =
        this.byDistrict.get(district) ?? this.streets.filter((s) => s.district === district);
      this.byDistrict.set(district, candidates);
    }
    const street = this.rng.pick(candidates.length > 0 ? candidates : this.streets);
    const number = street.next++;
    const flat = this.rng.chance(0.15) ? `Flat ${this.rng.int(1, 12)}, ` : '';
    let line = `${flat}${number} ${street.name}`;
    if (this.used.has(`${line}|${street.district}`))
      line = `Flat ${this.rng.int(13, 99)}, ${number} ${street.name}`;
    this.used.add(`${line}|${street.district}`);
    const postcode = street.postcodes[Math.floor(number / 40) % street.postcodes.length];
    return { line, town: TOWN, postcode, district: street.district, area: street.area };
  }
}

export interface GpPractice {
  odsCode: string;
  name: string;
  district: string;
}

const PRACTICE_SUFFIXES = [
  'Medical Centre',
  'Surgery',
  'Health Centre',
  'Medical Practice',
  'Family Practice',
];

export function gpPractices(rng: Rng): GpPractice[] {
  const practices: GpPractice[] = [];
  let serial = 1;
  for (const { district, areas } of DISTRICTS) {
    for (const area of areas) {
      practices.push({
        odsCode: `K83${String(serial++).padStart(3, '0')}`,
        name: `${area} ${rng.pick(PRACTICE_SUFFIXES)}`,
        district,
      });
    }
  }
  return practices;
}

export const TRUST = { odsCode: 'RNS', name: 'Northampton General Hospital NHS Trust' };

export interface School {
  urn: number;
  laEstab: string;
  estab: string;
  name: string;
  phase: 'Primary' | 'Secondary';
  district: string;
  postcode: string;
}

const SAINTS = ['Mary', 'Andrew', 'Luke', 'Gregory', 'Thomas', 'Peter', 'James', 'Patrick'];

/** Enough schools for the pupils: about 350 per primary and 1,100 per secondary. */
export function schools(
  rng: Rng,
  book: AddressBook,
  primaryPupils: number,
  secondaryPupils: number,
): School[] {
  const result: School[] = [];
  const primaries = Math.max(5, Math.ceil(primaryPupils / 350));
  const secondaries = Math.max(2, Math.ceil(secondaryPupils / 1100));
  const names = new Set<string>();
  for (let i = 0; i < primaries + secondaries; i++) {
    const phase = i < primaries ? 'Primary' : 'Secondary';
    const { district, areas } = DISTRICTS[i % DISTRICTS.length];
    const area = rng.pick(areas);
    let name: string;
    do {
      const style = rng.int(0, 3);
      if (phase === 'Primary') {
        name =
          style === 0
            ? `St ${rng.pick(SAINTS)}'s CE Primary School`
            : style === 1
              ? `${area} Primary Academy`
              : `${area} ${rng.pick(['Infant and Junior', 'Community Primary', 'Primary'])} School`;
      } else {
        name =
          style === 0
            ? `${area} Academy`
            : style === 1
              ? `${area} School`
              : `${rng.pick(['Weston Favell', 'Malcolm Arnold', 'Northampton', 'Abbeyfield', 'Duston'])} ${rng.pick(['Academy', 'School', 'College'])}`;
      }
    } while (names.has(name));
    names.add(name);
    const estab = phase === 'Primary' ? String(2000 + i) : String(4000 + i);
    result.push({
      urn: 121_000 + i * 7,
      laEstab: `${LA_NUMBER}${estab}`,
      estab,
      name,
      phase,
      district,
      postcode: book.draw(district).postcode,
    });
  }
  return result;
}
