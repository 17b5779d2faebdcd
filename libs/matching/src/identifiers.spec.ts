import fc from 'fast-check';
import {
  generateNhsNumber,
  generateUpn,
  isValidNhsNumber,
  isValidUpn,
  isVerifiedIdentifier,
} from './identifiers';
import { seededRandom } from './model';

describe(isValidNhsNumber.name, () => {
  it('accepts a number whose modulus 11 check digit is right, with or without spaces', () => {
    expect(isValidNhsNumber('9434765919')).toBe(true);
    expect(isValidNhsNumber('943 476 5919')).toBe(true);
    expect(isValidNhsNumber('401 023 2137')).toBe(true);
  });

  it('rejects a wrong check digit, a wrong length and letters', () => {
    expect(isValidNhsNumber('9434765918')).toBe(false);
    expect(isValidNhsNumber('943476591')).toBe(false);
    expect(isValidNhsNumber('94347659190')).toBe(false);
    expect(isValidNhsNumber('94347A5919')).toBe(false);
    expect(isValidNhsNumber('')).toBe(false);
  });

  it('rejects nine digits whose check would be 10 whatever the last digit', () => {
    // 123456789: weighted sum 210, 210 mod 11 = 1, check 10: no valid number.
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`123456789${d}`)).toBe(false);
  });

  it('detects every single-digit error in a valid number', () => {
    const sut = generateNhsNumber(seededRandom(7));
    for (let i = 0; i < 10; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === sut[i]) continue;
        expect(isValidNhsNumber(sut.slice(0, i) + String(d) + sut.slice(i + 1))).toBe(false);
      }
    }
  });
});

describe(generateNhsNumber.name, () => {
  it('always generates valid numbers, in the 999 test range by default', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const n = generateNhsNumber(seededRandom(seed));
        return isValidNhsNumber(n) && n.startsWith('999');
      }),
    );
  });

  it('is reproducible from a seed', () => {
    expect(generateNhsNumber(seededRandom(3))).toBe(generateNhsNumber(seededRandom(3)));
  });
});

describe(isValidUpn.name, () => {
  it('accepts a UPN with the right check letter (worked by hand below)', () => {
    // 8*2 + 2*3 + 0*4 + 4*5 + 0*6 + 0*7 + 1*8 + 1*9 + 0*10 + 0*11 + 0*12 + 1*13 = 72; 72 mod 23 = 3 -> D
    expect(isValidUpn('D820400110001')).toBe(true);
    expect(isValidUpn('d820 4001 10001')).toBe(true);
  });

  it('accepts a temporary UPN whose 13th character is a letter', () => {
    // As above with the last 1 replaced by A (value 0): 72 - 13 = 59; 59 mod 23 = 13 -> P
    expect(isValidUpn('P82040011000A')).toBe(true);
  });

  it('rejects a wrong check letter, a wrong length, and letters in the body', () => {
    expect(isValidUpn('E820400110001')).toBe(false);
    expect(isValidUpn('D82040011000')).toBe(false);
    expect(isValidUpn('D8204001A0001')).toBe(false);
    expect(isValidUpn('I820400110001')).toBe(false);
  });
});

describe(generateUpn.name, () => {
  it('always generates valid 13-character UPNs with the requested LA code', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const upn = generateUpn(seededRandom(seed), { laCode: '873' });
        return upn.length === 13 && isValidUpn(upn) && upn.slice(1, 4) === '873';
      }),
    );
  });
});

describe(isVerifiedIdentifier.name, () => {
  it('verifies only kinds with a check digit', () => {
    expect(isVerifiedIdentifier('nhsNumber', '9434765919')).toBe(true);
    expect(isVerifiedIdentifier('nhsNumber', '9434765918')).toBe(false);
    expect(isVerifiedIdentifier('pncId', '2010/0012345A')).toBe(false);
  });
});
