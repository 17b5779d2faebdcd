import { areNicknames, formalNamesOf } from './nicknames';
import {
  addressTokens,
  normaliseIdentifier,
  normaliseName,
  normaliseSex,
  parseDate,
  parsePostcode,
  swapDayMonth,
} from './normalise';

describe(normaliseName.name, () => {
  it.each([
    ["O'Brien", 'obrien'],
    ['Smith-Jones', 'smith jones'],
    ['  ZOË   ', 'zoe'],
    ['José María', 'jose maria'],
    ['Renée\u2019s', 'renees'],
    ['MC  DONALD', 'mc donald'],
    ['', ''],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseName(input)).toBe(expected);
  });
});

describe(areNicknames.name, () => {
  it.each([
    ['bill', 'william'],
    ['william', 'bill'],
    ['liz', 'elizabeth'],
    ['jack', 'john'],
    ['alfie', 'alfred'],
    ['charlie', 'charles'],
    ['bill', 'will'],
  ])('treats %s and %s as the same name', (a, b) => {
    expect(areNicknames(a, b)).toBe(true);
  });

  it('does not join two formal names through a shared diminutive', () => {
    expect(areNicknames('alex', 'alexander')).toBe(true);
    expect(areNicknames('alex', 'alexandra')).toBe(true);
    expect(areNicknames('alexander', 'alexandra')).toBe(false);
    expect(areNicknames('charles', 'charlotte')).toBe(false);
    expect(areNicknames('jack', 'james')).toBe(false);
  });

  it('lists the formal names a diminutive stands for', () => {
    expect(formalNamesOf('harry').sort()).toEqual(['harold', 'harriet', 'harrison', 'henry']);
    expect(formalNamesOf('zzz')).toEqual([]);
  });
});

describe(parsePostcode.name, () => {
  it('normalises UK postcodes and gives outward code, sector and area', () => {
    expect(parsePostcode(' sw1a1aa ')).toEqual({
      normalised: 'SW1A 1AA',
      outward: 'SW1A',
      sector: 'SW1A 1',
      area: 'SW',
    });
    expect(parsePostcode('M1 1AE')).toEqual({
      normalised: 'M1 1AE',
      outward: 'M1',
      sector: 'M1 1',
      area: 'M',
    });
    expect(parsePostcode('b33 8th')?.sector).toBe('B33 8');
  });

  it('keeps non-UK codes comparable without inventing a sector', () => {
    expect(parsePostcode('4223')).toEqual({ normalised: '4223' });
    expect(parsePostcode('   ')).toBeUndefined();
  });
});

describe(parseDate.name, () => {
  it('reads the three supported formats to the same date', () => {
    const expected = { year: 2012, month: 3, day: 5, compact: '20120305' };
    expect(parseDate('2012-03-05')).toEqual(expected);
    expect(parseDate('20120305')).toEqual(expected);
    expect(parseDate('05/03/2012')).toEqual(expected);
    expect(parseDate('5/3/2012', 'DD/MM/YYYY')).toEqual(expected);
  });

  it('refuses dates outside the declared format or impossible months', () => {
    expect(parseDate('05/03/2012', 'YYYYMMDD')).toBeUndefined();
    expect(parseDate('2012-13-05')).toBeUndefined();
    expect(parseDate('not a date')).toBeUndefined();
  });

  it('swaps day and month only when the result is a different possible date', () => {
    expect(swapDayMonth(parseDate('2012-03-05')!)?.compact).toBe('20120503');
    expect(swapDayMonth(parseDate('2012-03-25')!)).toBeUndefined();
    expect(swapDayMonth(parseDate('2012-04-04')!)).toBeUndefined();
  });
});

describe(addressTokens.name, () => {
  it('normalises and expands common abbreviations', () => {
    expect(addressTokens('12A, High St.')).toEqual(['12a', 'high', 'street']);
  });
});

describe(normaliseIdentifier.name, () => {
  it('keeps upper-case alphanumerics only', () => {
    expect(normaliseIdentifier('943 476-5919')).toBe('9434765919');
    expect(normaliseIdentifier(' a123 ')).toBe('A123');
  });
});

describe(normaliseSex.name, () => {
  it('maps common codes and leaves the rest unknown', () => {
    expect(normaliseSex('F')).toBe('female');
    expect(normaliseSex('Male')).toBe('male');
    expect(normaliseSex('unknown')).toBeUndefined();
  });
});
