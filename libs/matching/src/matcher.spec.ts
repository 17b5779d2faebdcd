import { defaultModel } from './default-model';
import { Matcher, type MatchResult, scoreCandidates } from './matcher';
import { type MatchModel, posterior } from './model';
import type { MatchSubject } from './record';

/** Hand-set plausible model for a local authority of 100,000 children (see default-model.ts). */
const model: MatchModel = defaultModel(100_000);

const child: MatchSubject = {
  givenName: 'Oliver',
  familyName: 'Hughes',
  dateOfBirth: '2015-03-07',
  sex: 'male',
  postcode: 'LS6 2AB',
  address: '14 Cardigan Road, Leeds',
  identifiers: { nhsNumber: '9434765919' },
};

describe(Matcher.name, () => {
  const sut = new Matcher(model);

  it('matches the same child recorded identically, deterministically on the NHS number', () => {
    const r = sut.compare(child, { ...child });
    expect(r.band).toBe('match');
    expect(r.method).toBe('deterministic');
    expect(r.probability).toBeGreaterThan(0.99);
  });

  it('matches on name, date of birth and postcode alone, probabilistically', () => {
    const r = sut.compare(
      { ...child, identifiers: undefined },
      { ...child, identifiers: undefined, address: undefined },
    );
    expect(r.band).toBe('match');
    expect(r.method).toBe('probabilistic');
  });

  it('does not match a stranger who shares only the date of birth', () => {
    const r = sut.compare(child, {
      givenName: 'Amira',
      familyName: 'Khan',
      dateOfBirth: '2015-03-07',
      postcode: 'BD7 1DP',
      identifiers: { nhsNumber: '4010232137' },
    });
    expect(r.band).toBe('no-match');
    expect(r.probability).toBeLessThan(0.01);
  });

  it('names fields and levels in the evidence, never values', () => {
    const r = sut.compare(child, { ...child, givenName: 'Ollie' });
    const text = JSON.stringify(r.evidence);
    for (const value of ['Oliver', 'Ollie', 'Hughes', '2015', 'LS6', 'Cardigan', '9434765919']) {
      expect(text).not.toContain(value);
    }
    expect(r.evidence).toContainEqual(
      expect.objectContaining({ field: 'givenName', level: 'close' }),
    );
    expect(r.evidence).toContainEqual(
      expect.objectContaining({ field: 'dateOfBirth', level: 'exact' }),
    );
  });

  it('lists a field only one side has as missing, with no weight', () => {
    const r = sut.compare({ ...child, postcode: undefined }, child);
    expect(r.evidence).toContainEqual({ field: 'postcode', level: 'missing', weight: 0 });
    expect(r.evidence.some((e) => e.field === 'upn')).toBe(false);
  });

  it('makes the score the sum of the evidence weights and the probability follow from it', () => {
    const r = sut.compare(
      { ...child, identifiers: undefined },
      { ...child, identifiers: undefined, postcode: 'LS6 3ZZ' },
    );
    const sum = r.evidence.reduce((s, e) => s + e.weight, 0);
    expect(r.score).toBeCloseTo(sum, 2);
    expect(r.probability).toBeCloseTo(posterior(r.score, model.priorLog2Odds), 3);
  });

  describe('hard cases', () => {
    const twinA: MatchSubject = {
      givenName: 'Jack',
      familyName: 'Walsh',
      dateOfBirth: '2016-09-12',
      sex: 'male',
      postcode: 'M14 5RT',
      address: '3 Wilbraham Road',
      identifiers: { nhsNumber: '9990000018' },
    };
    const twinB: MatchSubject = {
      ...twinA,
      givenName: 'Harry',
      identifiers: { nhsNumber: '9990000026' },
    };

    it('does not match one twin to the other (same surname, date of birth and home)', () => {
      expect(sut.compare(twinA, twinB).band).toBe('no-match');
      // Without NHS numbers on either side, still no match: only the given name tells them apart.
      const r = sut.compare(
        { ...twinA, identifiers: undefined },
        { ...twinB, identifiers: undefined },
      );
      expect(r.band).toBe('no-match');
      expect(r.rules).toContain('possible-sibling');
    });

    it('picks the right twin when both are candidates', () => {
      const best = sut.bestMatch({ ...twinA, identifiers: undefined }, [twinB, twinA]);
      expect(best.candidate).toBe(twinA);
      expect(best.result.band).toBe('match');
    });

    it("matches a child who took a step-parent's surname (same given name, date of birth, postcode, NHS number)", () => {
      const r = sut.compare(child, { ...child, familyName: 'Baxter-Reid', address: undefined });
      expect(r.band).toBe('match');
      expect(r.evidence).toContainEqual(
        expect.objectContaining({ field: 'familyName', level: 'disagree' }),
      );
    });

    it('finds a child recorded by nickname with day and month transposed, never a sibling', () => {
      const query: MatchSubject = {
        givenName: 'William',
        familyName: 'Price',
        dateOfBirth: '2014-05-03',
        postcode: 'CF10 1AA',
      };
      const self: MatchSubject = {
        givenName: 'Billy',
        familyName: 'Price',
        dateOfBirth: '2014-03-05',
        postcode: 'CF10 1AA',
      };
      const sister: MatchSubject = {
        givenName: 'Megan',
        familyName: 'Price',
        dateOfBirth: '2012-08-19',
        postcode: 'CF10 1AA',
      };
      const cousin: MatchSubject = {
        givenName: 'Wiliam',
        familyName: 'Price',
        dateOfBirth: '2009-11-30',
        postcode: 'CF14 3UZ',
      };
      const best = sut.bestMatch(query, [sister, cousin, self]);
      expect(best.candidate).toBe(self);
      expect(['match', 'possible']).toContain(best.result.band);
      expect(best.result.evidence).toContainEqual(
        expect.objectContaining({ field: 'dateOfBirth', level: 'day-month-swapped' }),
      );
    });

    // A valid but different NHS number is strong evidence against (weight about -5.6 bits), yet
    // everything else agreeing outweighs it, so the weights alone would say `match`. We report
    // `possible` instead: a conflict on a checked identifier needs a person to look, and a
    // wrongly disclosed record cannot be taken back.
    it('gives `possible` when a valid but wrong NHS number was typed into a school record', () => {
      const school: MatchSubject = {
        ...child,
        identifiers: { nhsNumber: '4010232137', upn: 'D820400110001' },
      };
      const r = sut.compare(child, school);
      expect(r.band).toBe('possible');
      expect(r.rules).toContain('verified-identifier-conflict');
      expect(r.evidence).toContainEqual(
        expect.objectContaining({ field: 'nhsNumber', level: 'disagree' }),
      );
    });

    // A mistyped number that fails its check digit is not a conflict between two verified
    // identifiers: one transposition from the query's number is evidence for, so it matches.
    it('gives `match` when the school record holds the NHS number with two digits transposed', () => {
      const r = sut.compare(child, { ...child, identifiers: { nhsNumber: '9434765991' } });
      expect(r.band).toBe('match');
      expect(r.evidence).toContainEqual(
        expect.objectContaining({ field: 'nhsNumber', level: 'one-edit' }),
      );
    });

    it('does not trust a shared NHS number alone when nothing personal corroborates it', () => {
      const r = sut.compare(child, {
        givenName: 'Priya',
        familyName: 'Shah',
        dateOfBirth: '1984-11-02',
        identifiers: { nhsNumber: '9434765919' },
      });
      expect(r.method).toBe('probabilistic');
      expect(r.band).not.toBe('match');
    });
  });

  describe(Matcher.prototype.bestMatch.name, () => {
    it('downgrades to possible when two candidates both match closely (a duplicate record)', () => {
      const q = { ...child, identifiers: undefined };
      const dup = { ...child, identifiers: undefined };
      const best = sut.bestMatch(q, [dup, { ...dup }]);
      expect(sut.compare(q, dup).band).toBe('match');
      expect(best.result.band).toBe('possible');
      expect(best.result.rules).toContain('ambiguous');
    });

    it('downgrades to possible when two candidates share the verified NHS number', () => {
      const best = sut.bestMatch(child, [{ ...child }, { ...child }]);
      expect(best.result.band).toBe('possible');
    });

    it('returns no-match and no candidate for an empty list', () => {
      const best = sut.bestMatch(child, []);
      expect(best.candidate).toBeUndefined();
      expect(best.result.band).toBe('no-match');
    });
  });
});

describe(scoreCandidates.name, () => {
  it('returns the best candidate with band and evidence', () => {
    const other: MatchSubject = {
      givenName: 'Ava',
      familyName: 'Hughes',
      dateOfBirth: '2017-01-20',
      postcode: 'LS6 2AB',
    };
    const best = scoreCandidates({ ...child, identifiers: undefined }, [other, child], model);
    expect(best.index).toBe(1);
    const r: MatchResult = best.result;
    expect(r.band).toBe('match');
    expect(r.evidence.length).toBeGreaterThan(3);
  });
});
