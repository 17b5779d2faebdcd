import { defaultModel } from './default-model';
import { generateNhsNumber } from './identifiers';
import { seededRandom } from './model';
import type { MatchSubject } from './record';
import {
  fitSourceModel,
  type Queryable,
  type SourceCandidate,
  SourceMatcher,
} from './source-lookup';

/** A source of candidates served from memory, recording the SQL it was asked. */
function fakeSource(candidates: SourceCandidate[], model?: object): Queryable & { sql: string[] } {
  const sql: string[] = [];
  return {
    sql,
    query: (text: string) => {
      sql.push(text);
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
