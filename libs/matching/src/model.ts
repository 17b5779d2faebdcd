import {
  compareRecords,
  type ComparisonVector,
  exactKey,
  FIELD_INDEX,
  FIELD_LEVELS,
  FIELD_NAMES,
  type FieldName,
} from './compare';
import type { Random } from './identifiers';
import type { PreparedRecord } from './record';

/** m and u probabilities of one field's comparison levels, in `FIELD_LEVELS` order. */
export interface FieldParameters {
  levels: string[];
  /** P(level | same person) */
  m: number[];
  /** P(level | different people), for two records drawn at random */
  u: number[];
}

/** A Fellegi-Sunter model: what `Matcher` needs, serialisable as JSON (no personal data in it). */
export interface MatchModel {
  version: 1;
  fields: Partial<Record<FieldName, FieldParameters>>;
  /** log2 of the prior odds that two records picked at random are the same person. */
  priorLog2Odds: number;
  /** Posterior probabilities at and above which a pair is a `match` or a `possible` match. */
  thresholds: { match: number; possible: number };
  training?: {
    candidatePairs: number;
    randomPairs: number;
    /** Share of candidate pairs EM attributed to the match class. */
    lambda: number;
    iterations: number;
    converged: boolean;
  };
}

export class MatchModelError extends Error {
  constructor(
    readonly code: 'MATCHING.MODEL_INVALID' | 'MATCHING.NO_CANDIDATE_PAIRS',
    message: string,
  ) {
    super(message);
    this.name = 'MatchModelError';
  }
}

export const DEFAULT_THRESHOLDS = { match: 0.99, possible: 0.5 } as const;

export function serialiseModel(model: MatchModel): string {
  return JSON.stringify(model, null, 2);
}

/** Parses and checks a model read from JSON. */
export function loadModel(json: string | unknown): MatchModel {
  const raw: unknown = typeof json === 'string' ? JSON.parse(json) : json;
  const fail = (why: string): never => {
    throw new MatchModelError('MATCHING.MODEL_INVALID', `match model invalid: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null) return fail('not an object');
  const m = raw as Partial<MatchModel>;
  if (m.version !== 1) fail('unsupported version');
  if (typeof m.priorLog2Odds !== 'number' || !Number.isFinite(m.priorLog2Odds))
    fail('priorLog2Odds');
  const t = m.thresholds;
  if (!t || !(t.match > 0 && t.match <= 1) || !(t.possible > 0 && t.possible <= t.match))
    fail('thresholds');
  if (typeof m.fields !== 'object' || m.fields === null) return fail('fields');
  for (const [name, p] of Object.entries(m.fields)) {
    if (!(name in FIELD_LEVELS)) fail(`unknown field ${name}`);
    const levels = FIELD_LEVELS[name as FieldName];
    if (!p || p.m.length !== levels.length || p.u.length !== levels.length)
      fail(`levels of ${name}`);
    for (const x of [...p!.m, ...p!.u]) if (!(x > 0 && x <= 1)) fail(`probabilities of ${name}`);
  }
  return m as MatchModel;
}

/** log2(m/u) of a level; 0 for a missing comparison or a field the model does not know. */
export function levelWeight(model: MatchModel, field: FieldName, level: number): number {
  const p = model.fields[field];
  if (!p || level < 0) return 0;
  return Math.log2(p.m[level] / p.u[level]);
}

/** Sum of the level weights: the log2 likelihood ratio of "same person" against "different people". */
export function scoreVector(model: MatchModel, v: ComparisonVector): number {
  let s = 0;
  for (let f = 0; f < FIELD_NAMES.length; f++) {
    if (v[f] >= 0) s += levelWeight(model, FIELD_NAMES[f], v[f]);
  }
  return s;
}

/** Posterior probability of a match from a log2 likelihood ratio and log2 prior odds. */
export function posterior(score: number, priorLog2Odds: number): number {
  const x = score + priorLog2Odds;
  if (x > 60) return 1;
  if (x < -60) return 0;
  const odds = Math.pow(2, x);
  return odds / (1 + odds);
}

/** A log2 weight at which the posterior reaches `probability` under the model's prior. */
export function scoreForProbability(model: MatchModel, probability: number): number {
  return Math.log2(probability / (1 - probability)) - model.priorLog2Odds;
}

export interface EmParameters {
  /** m[field][level] */
  m: number[][];
  u: number[][];
  lambda: number;
}

export interface EmResult extends EmParameters {
  iterations: number;
  converged: boolean;
}

export interface EmOptions {
  maxIterations?: number;
  /** Stop when no parameter moves by more than this. */
  tolerance?: number;
  /** Keep u at its initial value (for u estimated from random pairs). */
  fixU?: boolean;
  /** Added to every level's expected count, so no level is ever impossible. */
  pseudoCount?: number;
}

/**
 * Expectation-maximisation for the two-class Fellegi-Sunter mixture under conditional
 * independence (Winkler 1988; Jaro 1989). Vectors are aggregated into patterns first, so each
 * iteration costs the number of distinct patterns, not pairs. `levelCounts[f]` is the number of
 * levels of field f; -1 in a vector means missing and is ignored for that field.
 */
export function expectationMaximisation(
  vectors: readonly ComparisonVector[],
  levelCounts: readonly number[],
  init: EmParameters,
  options: EmOptions = {},
): EmResult {
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.tolerance ?? 1e-6;
  const pseudo = options.pseudoCount ?? 0.01;
  const nFields = levelCounts.length;

  const patternIndex = new Map<string, number>();
  const patterns: ComparisonVector[] = [];
  const counts: number[] = [];
  for (const v of vectors) {
    const key = v.join(',');
    const i = patternIndex.get(key);
    if (i === undefined) {
      patternIndex.set(key, patterns.length);
      patterns.push(v);
      counts.push(1);
    } else {
      counts[i]++;
    }
  }
  const total = vectors.length;
  let m = init.m.map((r) => [...r]);
  let u = init.u.map((r) => [...r]);
  let lambda = init.lambda;
  let iterations = 0;
  let converged = false;

  while (iterations < maxIterations) {
    iterations++;
    const mCount = levelCounts.map((n) => new Array<number>(n).fill(pseudo));
    const uCount = levelCounts.map((n) => new Array<number>(n).fill(pseudo));
    let matchMass = 0;
    for (let p = 0; p < patterns.length; p++) {
      const v = patterns[p];
      let logRatio = Math.log(lambda) - Math.log(1 - lambda);
      for (let f = 0; f < nFields; f++) {
        const l = v[f];
        if (l >= 0) logRatio += Math.log(m[f][l]) - Math.log(u[f][l]);
      }
      const g = logRatio > 50 ? 1 : logRatio < -50 ? 0 : 1 / (1 + Math.exp(-logRatio));
      const wm = g * counts[p];
      const wu = (1 - g) * counts[p];
      matchMass += wm;
      for (let f = 0; f < nFields; f++) {
        const l = v[f];
        if (l < 0) continue;
        mCount[f][l] += wm;
        uCount[f][l] += wu;
      }
    }
    const normalise = (rows: number[][]): number[][] =>
      rows.map((r) => {
        const s = r.reduce((a, b) => a + b, 0);
        return r.map((x) => x / s);
      });
    const newM = normalise(mCount);
    const newU = options.fixU ? u : normalise(uCount);
    const newLambda = Math.min(1 - 1e-9, Math.max(1e-9, matchMass / total));
    let delta = Math.abs(newLambda - lambda);
    for (let f = 0; f < nFields; f++) {
      for (let l = 0; l < levelCounts[f]; l++) {
        delta = Math.max(delta, Math.abs(newM[f][l] - m[f][l]), Math.abs(newU[f][l] - u[f][l]));
      }
    }
    m = newM;
    u = newU;
    lambda = newLambda;
    if (delta < tolerance) {
      converged = true;
      break;
    }
  }
  return { m, u, lambda, iterations, converged };
}

/** Deterministic pseudo-random numbers (mulberry32), for reproducible sampling. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface FitInput {
  left: readonly PreparedRecord[];
  /** Absent when de-duplicating `left`. */
  right?: readonly PreparedRecord[];
  /** Candidate pairs from blocking, as indexes into left and right (or left twice). */
  pairs: ReadonlyArray<readonly [number, number]>;
  /** Random pairs sampled for u-probabilities; default 200,000 (or all pairs when fewer). */
  randomPairs?: number;
  random?: Random;
  thresholds?: { match: number; possible: number };
  maxIterations?: number;
  /** Called after the comparison vectors are computed and again after EM, for progress. */
  onProgress?: (
    stage: 'compared' | 'estimated',
    detail: { pairs: number; iterations?: number },
  ) => void;
}

export interface FitResult {
  model: MatchModel;
  /** The comparison vectors of `pairs`, in order, for scoring without comparing again. */
  vectors: ComparisonVector[];
}

/**
 * u-probabilities from pairs of records drawn at random. The `exact` level is computed exactly
 * from value frequencies (the chance two random records share a value), which a sample cannot
 * do for rare agreement such as two identical identifiers; the other levels come from the sample.
 */
export function estimateU(
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | undefined,
  sampleSize: number,
  random: Random,
): { u: number[][]; sampled: number } {
  const other = right ?? left;
  const dedupe = right === undefined;
  const totalPairs = dedupe ? (left.length * (left.length - 1)) / 2 : left.length * other.length;
  const counts = FIELD_NAMES.map((f) => new Array<number>(FIELD_LEVELS[f].length).fill(0));
  let sampled = 0;
  const addPair = (a: PreparedRecord, b: PreparedRecord): void => {
    const v = compareRecords(a, b);
    for (let f = 0; f < FIELD_NAMES.length; f++) if (v[f] >= 0) counts[f][v[f]]++;
    sampled++;
  };
  if (totalPairs <= sampleSize) {
    for (let i = 0; i < left.length; i++) {
      for (let j = dedupe ? i + 1 : 0; j < other.length; j++) addPair(left[i], other[j]);
    }
  } else {
    while (sampled < sampleSize) {
      const i = Math.floor(random() * left.length);
      const j = Math.floor(random() * other.length);
      if (dedupe && i === j) continue;
      addPair(left[i], other[j]);
    }
  }

  const u = FIELD_NAMES.map((field, f) => {
    const exact = exactAgreementProbability(field, left, right);
    const rest = counts[f].slice(1);
    const restTotal = rest.reduce((a, b) => a + b, 0) + 0.5 * rest.length;
    const restProbs = rest.map((c) => (c + 0.5) / restTotal);
    const pExact = exact ?? (counts[f][0] + 0.5) / (sampled + 0.5 * counts[f].length);
    // Floor the exact level at one in a billion so the weight stays finite.
    const e = Math.min(1 - 1e-6, Math.max(1e-9, pExact));
    return [e, ...restProbs.map((p) => p * (1 - e))];
  });
  return { u, sampled };
}

function exactAgreementProbability(
  field: FieldName,
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | undefined,
): number | undefined {
  const tally = (
    records: readonly PreparedRecord[],
  ): { counts: Map<string, number>; n: number } => {
    const counts = new Map<string, number>();
    let n = 0;
    for (const r of records) {
      const k = exactKey(field, r);
      if (k === undefined) continue;
      counts.set(k, (counts.get(k) ?? 0) + 1);
      n++;
    }
    return { counts, n };
  };
  const a = tally(left);
  if (right === undefined) {
    if (a.n < 2) return undefined;
    let same = 0;
    for (const c of a.counts.values()) same += c * (c - 1);
    return same / (a.n * (a.n - 1));
  }
  const b = tally(right);
  if (a.n === 0 || b.n === 0) return undefined;
  let same = 0;
  for (const [k, c] of a.counts) same += c * (b.counts.get(k) ?? 0);
  return same / (a.n * b.n);
}

/** Starting m-probabilities: most mass on agreement, falling geometrically. */
function initialM(levels: number): number[] {
  const raw = Array.from({ length: levels }, (_, l) => Math.pow(0.2, l) * (l === 0 ? 4 : 1));
  const s = raw.reduce((a, b) => a + b, 0);
  return raw.map((x) => x / s);
}

/**
 * Estimate a model from unlabelled records: u from random pairs, then m (and the share of
 * matches among candidate pairs) by EM over the blocked candidate pairs. No truth labels.
 * The prior is EM's match share scaled from candidate pairs to all pairs, which assumes blocking
 * keeps nearly every true match.
 */
export function fitModel(input: FitInput): FitResult {
  const { left, right, pairs } = input;
  if (pairs.length === 0)
    throw new MatchModelError(
      'MATCHING.NO_CANDIDATE_PAIRS',
      'no candidate pairs to fit a model on',
    );
  const other = right ?? left;
  const vectors = pairs.map(([i, j]) => compareRecords(left[i], other[j]));
  input.onProgress?.('compared', { pairs: vectors.length });

  const observed = FIELD_NAMES.filter((f) => vectors.some((v) => v[FIELD_INDEX[f]] >= 0));
  const random = input.random ?? seededRandom(1);
  const { u: uRandom, sampled } = estimateU(left, right, input.randomPairs ?? 200_000, random);

  const levelCounts = FIELD_NAMES.map((f) => FIELD_LEVELS[f].length);
  const em = expectationMaximisation(
    vectors,
    levelCounts,
    {
      m: FIELD_NAMES.map((f) => initialM(FIELD_LEVELS[f].length)),
      u: uRandom,
      lambda: Math.min(
        0.5,
        Math.max(0.001, Math.min(left.length, other.length) / pairs.length / 2),
      ),
    },
    { maxIterations: input.maxIterations },
  );
  input.onProgress?.('estimated', { pairs: vectors.length, iterations: em.iterations });

  const dedupe = right === undefined;
  const totalPairs = dedupe ? (left.length * (left.length - 1)) / 2 : left.length * other.length;
  const expectedMatches = em.lambda * pairs.length;
  const priorP = Math.min(0.5, Math.max(1e-12, expectedMatches / totalPairs));
  // Random pairs include the true matches (one in 5,000 for two files of 5,000 people), which for
  // rare agreement such as an identical date of birth outnumber the chance agreements; take
  // them out: f = prior * m + (1 - prior) * u.
  const floor = 1 / (2 * totalPairs);
  const fields: MatchModel['fields'] = {};
  for (const f of observed) {
    const i = FIELD_INDEX[f];
    const corrected = uRandom[i].map((x, l) =>
      Math.max(floor, (x - priorP * em.m[i][l]) / (1 - priorP)),
    );
    const sum = corrected.reduce((a, b) => a + b, 0);
    fields[f] = { levels: [...FIELD_LEVELS[f]], m: em.m[i], u: corrected.map((x) => x / sum) };
  }
  return {
    model: {
      version: 1,
      fields,
      priorLog2Odds: Math.log2(priorP / (1 - priorP)),
      thresholds: input.thresholds ?? { ...DEFAULT_THRESHOLDS },
      training: {
        candidatePairs: pairs.length,
        randomPairs: sampled,
        lambda: em.lambda,
        iterations: em.iterations,
        converged: em.converged,
      },
    },
    vectors,
  };
}
