import { assess, assessOrThrow, isSignposted, triage } from './assess';
import { NoConcernsError, UnknownConcernError } from './errors';
import { validateThresholdMatrix } from './parse';
import { matrixDocument } from './testing/matrix.fixture';

const matrix = validateThresholdMatrix(
  'test',
  matrixDocument({
    concerns: {
      ...matrixDocument().concerns,
      'sexual-abuse': { label: 'Sexual abuse', level: 4, rag: 'red' },
      neglect: { label: 'Neglect', level: 3, rag: 'amber' },
      'missing-from-home': { label: 'Missing from home', level: 3, rag: 'red' },
      'physical-abuse': { label: 'Physical abuse', level: 4, rag: 'amber' },
      'missing-from-education': { label: 'Missing from education', level: 2, rag: 'green' },
      'universal-advice': { label: 'Universal advice', level: 1, rag: 'green' },
      'housing-advice': { label: 'Housing advice', level: 1, rag: 'green' },
    },
  }),
);

describe(assess.name, () => {
  const sut = assess;

  it('grades a single concern by the matrix', () => {
    expect(sut(matrix, ['neglect'])).toMatchObject({ level: 3, rag: 'amber', concernsUnknown: [] });
  });

  it('takes the highest level and the most urgent RAG, even from different concerns', () => {
    // physical-abuse gives level 4 (amber); missing-from-home gives red (level 3).
    expect(
      sut(matrix, ['missing-from-education', 'physical-abuse', 'missing-from-home']),
    ).toMatchObject({
      level: 4,
      rag: 'red',
    });
  });

  it('does not depend on the order concerns are given in, and counts a repeated code once', () => {
    const a = sut(matrix, ['neglect', 'sexual-abuse', 'neglect']);
    const b = sut(matrix, ['sexual-abuse', 'neglect']);
    expect(a).toEqual(b);
    expect(a.basis.map((c) => c.code)).toEqual(['sexual-abuse', 'neglect']);
  });

  it('returns unknown codes so the caller can refuse the referral', () => {
    const result = sut(matrix, ['neglect', 'made-up', 'toString']);
    expect(result.concernsUnknown).toEqual(['made-up', 'toString']);
    expect(result).toMatchObject({ level: 3, rag: 'amber' });
  });

  it('refuses a referral with no concerns', () => {
    expect(() => sut(matrix, [])).toThrow(NoConcernsError);
  });
});

describe(assessOrThrow.name, () => {
  const sut = assessOrThrow;

  it('throws THRESHOLD.UNKNOWN_CONCERN naming the unknown codes', () => {
    let thrown: unknown;
    try {
      sut(matrix, ['neglect', 'made-up']);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(UnknownConcernError);
    expect(thrown).toMatchObject({
      code: 'THRESHOLD.UNKNOWN_CONCERN',
      concernsUnknown: ['made-up'],
      concernsKnown: expect.arrayContaining(['neglect', 'sexual-abuse']),
    });
    expect((thrown as Error).message).toMatch(/"made-up".*knows: .*neglect/);
  });

  it('grades known concerns normally', () => {
    expect(sut(matrix, ['sexual-abuse'])).toMatchObject({ level: 4, rag: 'red' });
  });
});

describe(triage.name, () => {
  const sut = triage;

  it('signposts a referral whose concerns are all level 1, with a plain-English reason', () => {
    const assessment = assess(matrix, ['universal-advice', 'housing-advice']);
    const result = sut(assessment);
    expect(result.action).toBe('signpost');
    expect(isSignposted(assessment)).toBe(true);
    expect(result.reason).toMatch(/not taken into the MASH/);
    expect(result.reason).toMatch(/housing advice and universal advice/);
  });

  it('takes in a referral once any concern is above level 1, and says why', () => {
    const assessment = assess(matrix, ['universal-advice', 'missing-from-education']);
    const result = sut(assessment);
    expect(result).toMatchObject({ action: 'accept', level: 2 });
    expect(isSignposted(assessment)).toBe(false);
    expect(result.reason).toBe(
      'Taken into the MASH at level 2 (early help), RAG green, because of the concern "Missing from education".',
    );
  });

  it('names both concerns when the level and the RAG come from different ones', () => {
    const result = sut(assess(matrix, ['physical-abuse', 'missing-from-home']));
    expect(result.reason).toBe(
      'Taken into the MASH at level 4 (child protection), RAG red: level from "Physical abuse", RAG from "Missing from home".',
    );
  });
});
