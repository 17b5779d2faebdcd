import fc from 'fast-check';
import {
  damerauLevenshtein,
  jaro,
  jaroWinkler,
  levenshtein,
  nysiis,
  soundex,
  withinOneEdit,
} from './strings';

describe(jaroWinkler.name, () => {
  it.each([
    ['martha', 'marhta', 0.961],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.813],
  ])('scores %s / %s as the published %d', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });

  it('is 1 for equal strings, 0 with nothing in common, and symmetric', () => {
    expect(jaroWinkler('smith', 'smith')).toBe(1);
    expect(jaroWinkler('abc', 'xyz')).toBe(0);
    expect(jaroWinkler('jones', 'johnson')).toBeCloseTo(jaroWinkler('johnson', 'jones'), 10);
  });

  it('rewards a common prefix over plain Jaro', () => {
    expect(jaroWinkler('jonathan', 'jonathon')).toBeGreaterThan(jaro('jonathan', 'jonathon'));
  });
});

describe(levenshtein.name, () => {
  it('counts insertions, deletions and substitutions', () => {
    expect(levenshtein('kitten', 'sitting')).toBe(3);
    expect(levenshtein('', 'abc')).toBe(3);
    expect(levenshtein('20100305', '20100503')).toBe(2);
  });
});

describe(damerauLevenshtein.name, () => {
  it('counts an adjacent transposition as one edit', () => {
    expect(damerauLevenshtein('9434765919', '9434769519')).toBe(1);
    expect(damerauLevenshtein('ca', 'abc')).toBe(3);
    expect(damerauLevenshtein('20100305', '20100350')).toBe(1);
  });
});

describe(nysiis.name, () => {
  // Published examples (dropby.com NYSIIS page, as used by Apache Commons Codec).
  it.each([
    ['MACINTOSH', 'MCANT'],
    ['KNUTH', 'NAT'],
    ['KOEHN', 'CAN'],
    ['PHILLIPSON', 'FALAPSAN'],
    ['PFEISTER', 'FASTAR'],
    ['SCHOENHOEFT', 'SANAFT'],
    ['MCKEE', 'MCY'],
    ['MACKIE', 'MCY'],
    ['HEITSCHMIDT', 'HATSNAD'],
    ['BART', 'BAD'],
    ['HURD', 'HAD'],
    ['HUNT', 'HAD'],
    ['WESTERLUND', 'WASTARLAD'],
    ['CASSTEVENS', 'CASTAFAN'],
    ['VASQUEZ', 'VASG'],
    ['FRAZIER', 'FRASAR'],
    ['BOWMAN', 'BANAN'],
    ['MCKNIGHT', 'MCNAGT'],
    ['RICKERT', 'RACAD'],
    ['DEUTSCH', 'DAT'],
  ])('encodes %s as %s', (name, code) => {
    expect(nysiis(name, 0)).toBe(code);
  });

  it('gives sound-alike spellings one code and truncates to 6 by default', () => {
    expect(nysiis('katherine')).toBe(nysiis('catherine'));
    expect(nysiis('stephens')).toBe(nysiis('stevens'));
    expect(nysiis('PHILLIPSON')).toBe('FALAPS');
    expect(nysiis('')).toBe('');
  });
});

describe(soundex.name, () => {
  it.each([
    ['Robert', 'R163'],
    ['Rupert', 'R163'],
    ['Ashcraft', 'A261'],
    ['Tymczak', 'T522'],
    ['Pfister', 'P236'],
    ['Lee', 'L000'],
  ])('encodes %s as %s', (name, code) => {
    expect(soundex(name)).toBe(code);
  });
});

describe(withinOneEdit.name, () => {
  it('agrees with the Damerau-Levenshtein distance being at most one', () => {
    const short = fc.string({ unit: fc.constantFrom('0', '1', '2'), maxLength: 6 });
    fc.assert(
      fc.property(short, short, (a, b) => withinOneEdit(a, b) === damerauLevenshtein(a, b) <= 1),
      { numRuns: 2000 },
    );
  });
});
