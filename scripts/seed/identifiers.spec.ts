import { isValidNhsNumber, isValidUpn } from '@mash/matching';
import {
  generateNhsNumber,
  generatePncId,
  generateTemporaryUpn,
  generateUpn,
  upnCheckLetter,
} from './identifiers';
import { Rng } from './rng';

describe(generateNhsNumber.name, () => {
  it('draws valid modulus-11 numbers from the 999 test range, the same for the same seed', () => {
    const rng = new Rng(1);
    const again = new Rng(1);
    for (let i = 0; i < 200; i++) {
      const sut = generateNhsNumber(rng);
      expect(sut).toMatch(/^999\d{7}$/);
      expect(isValidNhsNumber(sut)).toBe(true);
      expect(generateNhsNumber(again)).toBe(sut);
    }
  });
});

describe(generateUpn.name, () => {
  it('makes permanent UPNs of the given LA and year that verify', () => {
    const rng = new Rng(2);
    for (let i = 0; i < 200; i++) {
      const sut = generateUpn(rng, '941', 2019);
      expect(sut).toMatch(/^[A-Z]941\d{4}19\d{3}$/);
      expect(isValidUpn(sut)).toBe(true);
    }
  });
});

describe(generateTemporaryUpn.name, () => {
  it('makes temporary UPNs ending in a letter that the matcher accepts as valid', () => {
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) {
      const sut = generateTemporaryUpn(rng, '941', '2001', 2019);
      expect(sut).toMatch(/^[A-Z]941200119\d{2}[A-Z]$/);
      expect(isValidUpn(sut)).toBe(true);
    }
  });

  it('computes the DfE check letter from the weighted sum mod 23', () => {
    // digits 8,2,0,2,0,0,1,0,1,0,0,1 weighted 2..13 sum to 63; 63 mod 23 = 17 -> U
    expect(upnCheckLetter('820200101001')).toBe('U');
  });
});

describe(generatePncId.name, () => {
  it('formats year, seven-digit serial and a check letter', () => {
    expect(generatePncId(new Rng(4), 2019)).toMatch(/^2019\/\d{7}[A-Z]$/);
  });
});
