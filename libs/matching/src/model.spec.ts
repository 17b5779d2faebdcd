import { FIELD_LEVELS } from './compare';
import { defaultModel } from './default-model';
import {
  expectationMaximisation,
  loadModel,
  MatchModelError,
  posterior,
  scoreForProbability,
  seededRandom,
  serialiseModel,
} from './model';

/** Draws a level from a categorical distribution. */
function draw(p: readonly number[], rnd: () => number): number {
  let x = rnd();
  for (let l = 0; l < p.length; l++) {
    x -= p[l];
    if (x < 0) return l;
  }
  return p.length - 1;
}

describe(expectationMaximisation.name, () => {
  // Four conditionally independent fields with known m and u; 10% of pairs are matches.
  const trueM = [
    [0.85, 0.1, 0.05],
    [0.9, 0.06, 0.04],
    [0.7, 0.2, 0.1],
    [0.95, 0.05],
  ];
  const trueU = [
    [0.02, 0.08, 0.9],
    [0.01, 0.04, 0.95],
    [0.05, 0.15, 0.8],
    [0.1, 0.9],
  ];
  const lambda = 0.1;
  const rnd = seededRandom(42);
  const vectors: Int8Array[] = [];
  for (let k = 0; k < 20_000; k++) {
    const isMatch = rnd() < lambda;
    const v = new Int8Array(trueM.length);
    for (let f = 0; f < trueM.length; f++) v[f] = draw(isMatch ? trueM[f] : trueU[f], rnd);
    // 5% of values missing at random.
    if (rnd() < 0.05) v[Math.floor(rnd() * trueM.length)] = -1;
    vectors.push(v);
  }
  const levelCounts = trueM.map((r) => r.length);
  const flat = levelCounts.map((n) => new Array<number>(n).fill(1 / n));

  it('recovers m, u and the match share from unlabelled comparison vectors', () => {
    const sut = expectationMaximisation(vectors, levelCounts, {
      m: levelCounts.map((n) =>
        Array.from({ length: n }, (_, l) => (l === 0 ? 0.8 : 0.2 / (n - 1))),
      ),
      u: flat,
      lambda: 0.3,
    });
    expect(sut.converged).toBe(true);
    expect(sut.lambda).toBeCloseTo(lambda, 1.5);
    for (let f = 0; f < trueM.length; f++) {
      for (let l = 0; l < levelCounts[f]; l++) {
        expect(Math.abs(sut.m[f][l] - trueM[f][l])).toBeLessThan(0.04);
        expect(Math.abs(sut.u[f][l] - trueU[f][l])).toBeLessThan(0.02);
      }
    }
  });

  it('keeps u as given when asked to, and still recovers m', () => {
    const sut = expectationMaximisation(
      vectors,
      levelCounts,
      { m: flat.map((r) => [...r].reverse()), u: trueU, lambda: 0.5 },
      { fixU: true },
    );
    expect(sut.u).toEqual(trueU);
    for (let f = 0; f < trueM.length; f++)
      expect(Math.abs(sut.m[f][0] - trueM[f][0])).toBeLessThan(0.04);
  });
});

describe(loadModel.name, () => {
  it('round-trips a model through JSON', () => {
    const model = defaultModel(5000);
    const sut = loadModel(serialiseModel(model));
    expect(sut).toEqual(model);
  });

  it('rejects a model with the wrong number of levels or impossible probabilities', () => {
    const model = defaultModel();
    const badLevels = { ...model, fields: { sex: { levels: ['exact'], m: [1], u: [1] } } };
    expect(() => loadModel(JSON.stringify(badLevels))).toThrow(MatchModelError);
    const zero = {
      ...model,
      fields: { sex: { levels: [...FIELD_LEVELS.sex], m: [1, 0], u: [0.5, 0.5] } },
    };
    expect(() => loadModel(zero)).toThrow(/probabilities of sex/);
    expect(() => loadModel({ ...model, thresholds: { match: 0.5, possible: 0.9 } })).toThrow(
      /thresholds/,
    );
  });
});

describe(scoreForProbability.name, () => {
  it('inverts the posterior', () => {
    const model = defaultModel(10_000);
    expect(posterior(scoreForProbability(model, 0.99), model.priorLog2Odds)).toBeCloseTo(0.99, 10);
  });
});
