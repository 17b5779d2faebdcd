import { BlockingIndex, blockingKeys, candidatePairs } from './blocking';
import { prepare } from './record';

describe(blockingKeys.name, () => {
  const child = {
    givenName: 'Charlotte',
    familyName: "O'Sullivan-Smythe",
    dateOfBirth: '2013-10-04',
    postcode: 'sw1a 1aa',
    identifiers: { nhsNumber: '943 476 5919', upn: 'D820400110001' },
  };

  it('gives short keys that carry no full name', () => {
    const sut = blockingKeys(child);
    expect(sut.length).toBeGreaterThanOrEqual(6);
    for (const k of sut) {
      expect(k.length).toBeLessThanOrEqual(40);
      expect(k.toLowerCase()).not.toContain('charlotte');
      expect(k.toLowerCase()).not.toContain('sullivan');
    }
  });

  it('shares a key with the same child after a surname change, a nickname, or a day-month swap', () => {
    const keys = new Set(blockingKeys({ ...child, identifiers: undefined }));
    const variants = [
      { ...child, familyName: 'Baker', identifiers: undefined },
      { ...child, givenName: 'Lottie', identifiers: undefined },
      { ...child, dateOfBirth: '2013-04-10', identifiers: undefined },
      {
        ...child,
        givenName: 'Charlote',
        familyName: "O'Sullivan Smythe",
        dateOfBirth: '2031-10-04',
        postcode: undefined,
        identifiers: undefined,
      },
    ];
    for (const v of variants) expect(blockingKeys(v).some((k) => keys.has(k))).toBe(true);
  });

  it('shares no key with an unrelated child', () => {
    const keys = new Set(blockingKeys(child));
    const other = blockingKeys({
      givenName: 'Noah',
      familyName: 'Patel',
      dateOfBirth: '2011-02-14',
      postcode: 'B1 1AA',
    });
    expect(other.some((k) => keys.has(k))).toBe(false);
  });

  it('accepts a prepared record and gives the same keys', () => {
    expect(blockingKeys(prepare(child))).toEqual(blockingKeys(child));
  });
});

describe(BlockingIndex.name, () => {
  it('returns ids sharing any key and skips oversized buckets', () => {
    const sut = new BlockingIndex<string>(2);
    sut.add('a', ['k1', 'k2']);
    sut.add('b', ['k2', 'k3']);
    sut.add('c', ['k3']);
    sut.add('d', ['k3']);
    expect([...sut.candidates(['k1'])]).toEqual(['a']);
    expect([...sut.candidates(['k2'])].sort()).toEqual(['a', 'b']);
    expect([...sut.candidates(['k3'])]).toEqual([]);
  });
});

describe(candidatePairs.name, () => {
  it('lists each unordered pair once when de-duplicating', () => {
    const r = { givenName: 'Ann', familyName: 'Lee', dateOfBirth: '2012-01-01' };
    const records = [prepare(r), prepare(r), prepare({ ...r, givenName: 'Anne' })];
    expect(candidatePairs(records).sort()).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
    ]);
  });
});
