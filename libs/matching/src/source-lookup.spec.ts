import { defaultModel } from './default-model';
import { generateNhsNumber } from './identifiers';
import { seededRandom } from './model';
import { blockingKeys } from './blocking';
import { type MatchSubject, queryVariants } from './record';
import { FIELD_LEVELS } from './compare';
import { levelWeight, type MatchModel } from './model';
import { Matcher } from './matcher';
import {
  fitSourceModel,
  type Queryable,
  type SourceCandidate,
  SourceMatcher,
  withKeyingSlipFloor,
} from './source-lookup';

/** A source of candidates served from memory, recording the SQL it was asked. */
function fakeSource(
  candidates: SourceCandidate[],
  model?: object,
): Queryable & { sql: string[]; params: unknown[][] } {
  const sql: string[] = [];
  const params: unknown[][] = [];
  return {
    sql,
    params,
    query: (text: string, values: unknown[] = []) => {
      sql.push(text);
      params.push(values);
      if (text.includes('FROM match_model')) return Promise.resolve(model ? [{ model }] : []);
      return Promise.resolve(candidates.map((c) => ({ ref: c.ref })));
    },
  };
}

const random = seededRandom(7);
const home = { postcode: 'NN3 9ZQ', address: '14 Quarry Row' };
const child = (givenName: string, extra: Partial<MatchSubject> = {}): MatchSubject => ({
  givenName,
  familyName: 'Vasquez',
  dateOfBirth: '2016-02-19',
  sex: 'female',
  ...home,
  ...extra,
});

function matcherFor(candidates: SourceCandidate[]): SourceMatcher {
  const db = fakeSource(candidates, defaultModel(1000));
  return new SourceMatcher({ db, loadCandidates: () => Promise.resolve(candidates) });
}

describe(SourceMatcher.name, () => {
  it('names the identifier that decided a deterministic match', async () => {
    const nhsNumber = generateNhsNumber(random);
    const sut = matcherFor([
      { ref: 'p1', variants: [child('Amelia', { identifiers: { nhsNumber } })] },
    ]);

    const result = await sut.find(child('Amelai', { identifiers: { nhsNumber } }));

    expect(result).toMatchObject({
      status: 'match',
      subjectRef: 'p1',
      method: 'deterministic:nhsNumber',
    });
  });

  it('finds the right twin and answers with the posterior as confidence', async () => {
    const sut = matcherFor([
      { ref: 'amelia', variants: [child('Amelia')] },
      { ref: 'ava', variants: [child('Ava')] },
    ]);

    const result = await sut.find(child('Ava'));

    expect(result).toMatchObject({ status: 'match', subjectRef: 'ava', method: 'probabilistic' });
    expect(result.confidence).toBeGreaterThanOrEqual(0.99);
  });

  it('gives a possible match no record reference and evidence without values', async () => {
    const [right, wrong] = [generateNhsNumber(random), generateNhsNumber(random)];
    const sut = matcherFor([
      { ref: 'p1', variants: [child('Maisie', { identifiers: { nhsNumber: wrong } })] },
    ]);

    const result = await sut.find(child('Maisie', { identifiers: { nhsNumber: right } }));

    expect(result.status).toBe('possible-match');
    expect(result.subjectRef).toBeUndefined();
    expect(JSON.stringify(result.evidence)).not.toMatch(/Maisie|Vasquez|2016|NN3|Quarry/);
    expect(result.evidence).toContainEqual({
      field: 'nhsNumber',
      outcome: 'disagree',
      weight: expect.any(Number),
    });
  });

  it('treats a duplicate registration without the identifier as the same child', async () => {
    const nhsNumber = generateNhsNumber(random);
    const sut = matcherFor([
      { ref: 'duplicate', variants: [child('Ruby')] },
      { ref: 'original', variants: [child('Ruby', { identifiers: { nhsNumber } })] },
    ]);

    await expect(sut.find(child('Ruby'))).resolves.toMatchObject({
      status: 'match',
      subjectRef: 'original',
    });
  });

  it('keeps two identical records that each carry their own number ambiguous', async () => {
    const sut = matcherFor([
      {
        ref: 'a',
        variants: [child('Ruby', { identifiers: { nhsNumber: generateNhsNumber(random) } })],
      },
      {
        ref: 'b',
        variants: [child('Ruby', { identifiers: { nhsNumber: generateNhsNumber(random) } })],
      },
    ]);

    const result = await sut.find(child('Ruby'));

    expect(result.status).toBe('possible-match');
    expect(result.subjectRef).toBeUndefined();
  });

  it('scores the variant of a record closest to the query (a former surname)', async () => {
    const sut = matcherFor([
      {
        ref: 'p1',
        variants: [
          child('Kacper', { familyName: 'Holloway' }),
          child('Kacper', { familyName: 'Wisniewski' }),
        ],
      },
    ]);

    await expect(sut.find(child('Kacper', { familyName: 'Wisniewski' }))).resolves.toMatchObject({
      status: 'match',
      subjectRef: 'p1',
      evidence: expect.arrayContaining([
        { field: 'familyName', outcome: 'agree', weight: expect.any(Number) },
      ]),
    });
  });

  it('settles a possible match by a previous surname the agency still holds', async () => {
    // The school holds the boy under the surname he had before he took his step-father's, at
    // the address the family left: asked by his name today, the agency cannot be sure.
    const held = child('Kacper', {
      familyName: 'Holloway',
      postcode: 'NN1 4AB',
      address: '2 Mill Lane',
    });
    const db = fakeSource([{ ref: 'p1', variants: [held] }], defaultModel(1000));
    const sut = new SourceMatcher({
      db,
      loadCandidates: () => Promise.resolve([{ ref: 'p1', variants: [held] }]),
    });
    const today = child('Kacper', { familyName: 'Wisniewski' });

    const before = await sut.find(today);
    const after = await sut.find({ ...today, previousFamilyNames: ['Holloway'] });

    expect(before.status).toBe('possible-match');
    expect(after).toMatchObject({ status: 'match', subjectRef: 'p1' });
    // Blocking asked for the keys of the former name as well as the current one.
    const asked = db.params.filter((p) => p.length === 1).map((p) => p[0] as string[]);
    for (const key of blockingKeys({ ...today, familyName: 'Holloway' }))
      expect(asked[asked.length - 1]).toContain(key);
  });

  it('does not turn a different child into a match through a previous surname', async () => {
    const sut = matcherFor([
      { ref: 'p1', variants: [child('Kacper', { familyName: 'Holloway' })] },
    ]);

    const result = await sut.find(
      child('Oliver', { familyName: 'Wisniewski', previousFamilyNames: ['Holloway'] }),
    );

    expect(result.status).not.toBe('match');
  });

  it('reads the stored model once and bounds the candidates it asks for', async () => {
    const db = fakeSource([{ ref: 'p1', variants: [child('Isla')] }]);
    const sut = new SourceMatcher({
      db,
      loadCandidates: () => Promise.resolve([]),
      candidateLimit: 50,
    });

    await sut.find(child('Isla'));
    await sut.find(child('Isla'));

    expect(db.sql.filter((s) => s.includes('match_model'))).toHaveLength(1);
    expect(
      db.sql.filter((s) => s.includes('FROM match_key')).every((s) => s.includes('LIMIT 50')),
    ).toBe(true);
    await expect(sut.model()).resolves.toEqual(defaultModel());
  });

  it('answers no-match without asking for candidates when the criteria give no blocking key', async () => {
    const db = fakeSource([]);
    const sut = new SourceMatcher({
      db,
      loadCandidates: () => Promise.reject(new Error('not called')),
    });

    await expect(sut.find({})).resolves.toMatchObject({ status: 'no-match', candidates: 0 });
  });
});

describe(queryVariants.name, () => {
  it('writes the query under each previous family name, once each, after the current one', () => {
    const sut = queryVariants(
      child('Kacper', {
        familyName: 'Wisniewski',
        previousFamilyNames: ['Holloway', ' holloway ', 'WISNIEWSKI', ''],
      }),
    );

    expect(sut.map((v) => v.familyName)).toEqual(['Wisniewski', 'Holloway']);
    expect(sut.every((v) => !('previousFamilyNames' in v))).toBe(true);
    expect(sut[1]).toMatchObject({ givenName: 'Kacper', dateOfBirth: '2016-02-19' });
  });
});

describe(fitSourceModel.name, () => {
  it('fits every field it can see and takes the hand-set weights for the rest', () => {
    const r = seededRandom(3);
    const names = ['Amelia', 'Oliver', 'Isla', 'Noah', 'Ava', 'Leo', 'Mia', 'Jack'];
    const surnames = ['Smith', 'Jones', 'Patel', 'Khan', 'Brown', 'Evans'];
    const source: MatchSubject[] = Array.from({ length: 600 }, (_, i) => ({
      givenName: names[Math.floor(r() * names.length)],
      familyName: surnames[Math.floor(r() * surnames.length)] + String.fromCharCode(97 + (i % 26)),
      dateOfBirth: `20${10 + Math.floor(r() * 9)}-0${1 + Math.floor(r() * 9)}-1${Math.floor(r() * 9)}`,
      postcode: `NN${1 + Math.floor(r() * 5)} ${Math.floor(r() * 9)}AB`,
      identifiers: { nhsNumber: generateNhsNumber(r) },
    }));
    const queries = source
      .slice(0, 300)
      .map((s, i) => (i % 5 === 0 ? { ...s, givenName: `${s.givenName}e` } : s));

    const sut = fitSourceModel({
      source,
      queries: queries.map(({ identifiers: _x, ...q }) => q),
      randomPairs: 5000,
    });

    const given = sut.fields.givenName!;
    expect(given.m[0] / given.u[0]).toBeGreaterThan(1);
    expect(sut.fields.nhsNumber).toEqual(defaultModel().fields.nhsNumber);
    expect(sut.priorLog2Odds).toBeLessThan(0);
  });
});

describe(withKeyingSlipFloor.name, () => {
  const hand = defaultModel(400);
  const close = FIELD_LEVELS.givenName.indexOf('close');
  const fuzzy = FIELD_LEVELS.givenName.indexOf('fuzzy');
  const swapped = FIELD_LEVELS.dateOfBirth.indexOf('day-month-swapped');
  /** What EM gave for a police source whose records never disagreed with the other agencies'. */
  const fitted: MatchModel = {
    ...hand,
    priorLog2Odds: -7.9,
    fields: {
      ...hand.fields,
      familyName: {
        levels: [...FIELD_LEVELS.familyName],
        m: [0.97, 0.01, 0.01, 0.01],
        u: [0.0175, 0.0025, 0.005, 0.975],
      },
      postcode: {
        levels: [...FIELD_LEVELS.postcode],
        m: [0.9, 0.03, 0.03, 0.01, 0.03],
        u: [0.0225, 0.02, 0.05, 0.0025, 0.905],
      },
      givenName: {
        levels: [...FIELD_LEVELS.givenName],
        m: [0.976612, 0.000227, 0.022934, 0.000227],
        u: [0.006752, 0.004, 0.005156, 0.984092],
      },
      dateOfBirth: {
        levels: [...FIELD_LEVELS.dateOfBirth],
        m: [0.998865, 0.000227, 0.000227, 0.000227, 0.000227, 0.000227],
        u: [0.000198, 0.000048, 0.005445, 0.002939, 0.039085, 0.952285],
      },
    },
  };
  const child = {
    givenName: 'Riley',
    familyName: 'Knight',
    dateOfBirth: '2012-09-10',
    postcode: 'NN4 9GL',
  };
  // The referral's slips: a transposed letter, day and month swapped.
  const typed = { ...child, givenName: 'Rliey', dateOfBirth: '2012-10-09' };

  it('keeps a keying slip as evidence for the same child where the fit never saw one', () => {
    expect(levelWeight(fitted, 'givenName', close)).toBeLessThan(0);
    expect(new Matcher(fitted).compare(typed, child).band).toBe('possible');

    const sut = { ...fitted, fields: withKeyingSlipFloor(fitted.fields) };

    expect(levelWeight(sut, 'givenName', close)).toBeGreaterThan(0);
    expect(levelWeight(sut, 'givenName', close)).toBeGreaterThanOrEqual(
      levelWeight(sut, 'givenName', fuzzy),
    );
    expect(levelWeight(sut, 'dateOfBirth', swapped)).toBeGreaterThan(0);
    expect(sut.fields.givenName!.m.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(new Matcher(sut).compare(typed, child).band).toBe('match');
  });

  it('leaves full disagreement, postcode and identifiers as fitted', () => {
    const sut = withKeyingSlipFloor(fitted.fields);
    expect(sut.postcode).toEqual(fitted.fields.postcode);
    expect(sut.nhsNumber).toEqual(fitted.fields.nhsNumber);
    const given = sut.givenName!;
    expect(given.m[3] / given.m[0]).toBeCloseTo(0.000227 / given.m[0], 9);
    expect(given.u).toEqual(fitted.fields.givenName!.u);
  });

  it('is applied to every fitted source model', () => {
    const r = seededRandom(11);
    const names = ['Riley', 'Oliver', 'Isla', 'Noah', 'Ava', 'Leo', 'Mia', 'Jack', 'Grace'];
    const surnames = ['Knight', 'Jones', 'Patel', 'Khan', 'Brown', 'Evans', 'Hill'];
    const source: MatchSubject[] = Array.from({ length: 600 }, (_, i) => ({
      givenName: names[Math.floor(r() * names.length)],
      familyName: surnames[Math.floor(r() * surnames.length)] + String.fromCharCode(97 + (i % 26)),
      dateOfBirth: `20${10 + Math.floor(r() * 9)}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-1${Math.floor(r() * 9)}`,
      postcode: `NN${1 + Math.floor(r() * 5)} ${Math.floor(r() * 9)}AB`,
    }));

    const sut = fitSourceModel({ source, queries: source.slice(0, 300), randomPairs: 5000 });

    for (const field of ['givenName', 'dateOfBirth'] as const) {
      const m = sut.fields[field]!.m;
      const floor = hand.fields[field]!.m;
      for (let l = 1; l < m.length - 1; l++) expect(m[l]).toBeGreaterThanOrEqual(floor[l] * 0.999);
    }
  });
});
