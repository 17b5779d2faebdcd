import { generateNhsNumber } from './identifiers';
import { evaluateLinks, linkRecords } from './linkage';
import { seededRandom } from './model';
import { type MatchSubject, prepare } from './record';

const GIVEN = [
  'oliver',
  'amelia',
  'george',
  'isla',
  'harry',
  'ava',
  'noah',
  'mia',
  'jack',
  'ivy',
  'leo',
  'grace',
  'oscar',
  'freya',
  'charlie',
  'lily',
  'arthur',
  'sophia',
  'muhammad',
  'florence',
  'theo',
  'willow',
  'henry',
  'rosie',
  'thomas',
  'evie',
  'william',
  'poppy',
  'alfie',
  'ella',
  'james',
  'elizabeth',
];
const FAMILY = [
  'smith',
  'jones',
  'taylor',
  'brown',
  'williams',
  'wilson',
  'johnson',
  'davies',
  'patel',
  'robinson',
  'wright',
  'thompson',
  'evans',
  'walker',
  'white',
  'roberts',
  'green',
  'hall',
  'wood',
  'jackson',
  'clarke',
  'khan',
  'hughes',
  'edwards',
  'lewis',
  'ahmed',
  'turner',
  'hill',
  'moore',
  'cooper',
  'ward',
  'morris',
];
const STREETS = [
  'high street',
  'station road',
  'church lane',
  'park avenue',
  'victoria road',
  'green lane',
  'manor road',
  'mill lane',
  'school lane',
  'the crescent',
];

/** Households of one to three children, then a second file with one corrupted copy of each child. */
function syntheticFiles(
  households: number,
  seed: number,
): { left: MatchSubject[]; right: MatchSubject[] } {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const left: MatchSubject[] = [];
  for (let h = 0; h < households; h++) {
    const familyName = pick(FAMILY);
    const postcode = `LS${1 + Math.floor(rnd() * 20)} ${1 + Math.floor(rnd() * 9)}${'ABDEFGHJLNPQRSTUWXYZ'[Math.floor(rnd() * 20)]}${'ABDEFGHJLNPQRSTUWXYZ'[Math.floor(rnd() * 20)]}`;
    const address = `${1 + Math.floor(rnd() * 200)} ${pick(STREETS)}`;
    const children = 1 + Math.floor(rnd() * 3);
    const twins = children > 1 && rnd() < 0.3;
    let dob = `20${String(5 + Math.floor(rnd() * 15)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
    const used = new Set<string>();
    for (let c = 0; c < children; c++) {
      let givenName = pick(GIVEN);
      while (used.has(givenName)) givenName = pick(GIVEN);
      used.add(givenName);
      if (!(twins && c === 1)) {
        dob = `20${String(5 + Math.floor(rnd() * 15)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 12)).padStart(2, '0')}-${String(1 + Math.floor(rnd() * 28)).padStart(2, '0')}`;
      }
      left.push({
        id: `L${left.length}`,
        givenName,
        familyName,
        dateOfBirth: dob,
        postcode,
        address,
        identifiers: { nhsNumber: rnd() < 0.5 ? generateNhsNumber(rnd) : undefined },
      });
    }
  }
  const typo = (s: string): string => {
    const i = Math.floor(rnd() * (s.length - 1));
    return s.slice(0, i) + s[i + 1] + s[i] + s.slice(i + 2);
  };
  const right = left.map((p, k): MatchSubject => {
    const q: MatchSubject = { ...p, id: `R${k}` };
    const r = rnd();
    if (r < 0.15) q.givenName = typo(p.givenName!);
    else if (r < 0.25) q.familyName = typo(p.familyName!);
    else if (r < 0.3) q.postcode = undefined;
    else if (r < 0.35) q.address = `${p.address} flat 2`;
    if (rnd() < 0.3) q.identifiers = undefined;
    return q;
  });
  return { left, right };
}

describe(linkRecords.name, () => {
  it('links a synthetic file of children, siblings and twins without labels, with high precision', () => {
    const { left, right } = syntheticFiles(600, 11);
    const L = left.map((s) => prepare(s));
    const R = right.map((s) => prepare(s));
    const sut = linkRecords(L, R, { random: seededRandom(5), randomPairs: 20_000 });
    const links = sut.links.map((l) => ({
      leftId: L[l.leftIndex].id!,
      rightId: R[l.rightIndex].id!,
      band: l.band,
    }));
    const truth = left.map((_, k): [string, string] => [`L${k}`, `R${k}`]);
    const q = evaluateLinks(links, truth);
    expect(q.precision).toBeGreaterThanOrEqual(0.995);
    expect(q.recall).toBeGreaterThanOrEqual(0.95);
    // EM found agreement on names and date of birth to be evidence for a match.
    const w = (field: 'givenName' | 'dateOfBirth', level: number): number => {
      const p = sut.model.fields[field]!;
      return Math.log2(p.m[level] / p.u[level]);
    };
    expect(w('givenName', 0)).toBeGreaterThan(2);
    expect(w('dateOfBirth', 0)).toBeGreaterThan(5);
    expect(w('dateOfBirth', 5)).toBeLessThan(0);
  });

  it('finds duplicates within one file when there is no right file', () => {
    const { left, right } = syntheticFiles(150, 3);
    const all = [...left, ...right].map((s) => prepare(s));
    const sut = linkRecords(all, undefined, { random: seededRandom(1), randomPairs: 20_000 });
    const links = sut.links.map((l) => ({
      leftId: all[l.leftIndex].id!,
      rightId: all[l.rightIndex].id!,
      band: l.band,
    }));
    const q = evaluateLinks(
      links,
      left.map((_, k): [string, string] => [`R${k}`, `L${k}`]),
      true,
    );
    expect(q.precision).toBeGreaterThanOrEqual(0.98);
    expect(q.recall).toBeGreaterThanOrEqual(0.9);
  });
});

describe(evaluateLinks.name, () => {
  it('computes precision, recall and F1 of the match band and counts true pairs left as possible', () => {
    const sut = evaluateLinks(
      [
        { leftId: 'a', rightId: '1', band: 'match' },
        { leftId: 'b', rightId: '9', band: 'match' },
        { leftId: 'c', rightId: '3', band: 'possible' },
      ],
      [
        ['a', '1'],
        ['b', '2'],
        ['c', '3'],
        ['d', '4'],
      ],
    );
    expect(sut.precision).toBe(0.5);
    expect(sut.recall).toBe(0.25);
    expect(sut.f1).toBeCloseTo(1 / 3, 10);
    expect(sut.trueInPossible).toBe(1);
  });
});
