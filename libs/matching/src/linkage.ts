import { candidatePairs } from './blocking';
import type { Random } from './identifiers';
import { type FitResult, fitModel, type MatchModel } from './model';
import { type MatchBand, Matcher, type MatchResult, oddsOf } from './matcher';
import type { PreparedRecord } from './record';

export interface Link {
  leftIndex: number;
  rightIndex: number;
  score: number;
  probability: number;
  band: Exclude<MatchBand, 'no-match'>;
}

export interface LinkProgress {
  stage: 'blocked' | 'compared' | 'estimated' | 'scored';
  pairs: number;
  done?: number;
  iterations?: number;
}

export interface LinkOptions {
  random?: Random;
  /** Random pairs sampled for u-probabilities (see `fitModel`). */
  randomPairs?: number;
  /** Use this model instead of fitting one by EM. */
  model?: MatchModel;
  onProgress?: (p: LinkProgress) => void;
}

export interface LinkOutput {
  links: Link[];
  model: MatchModel;
  candidatePairs: number;
}

/**
 * Links `left` to `right` (each record to at most one on the other side), or finds duplicate
 * pairs within `left` when `right` is absent. Blocks, fits the model by EM on the candidate
 * pairs (unless one is given), scores, then assigns greedily by score.
 *
 * When linking, a pair's probability treats every other candidate of either record as a
 * competing explanation (at most one true partner each side), so a record with two near-equal
 * partners gets `possible` rather than `match`.
 */
export function linkRecords(
  left: readonly PreparedRecord[],
  right: readonly PreparedRecord[] | undefined,
  options: LinkOptions = {},
): LinkOutput {
  const report = options.onProgress ?? (() => undefined);
  const pairs = candidatePairs(left, right);
  report({ stage: 'blocked', pairs: pairs.length });
  const other = right ?? left;

  let fit: FitResult | undefined;
  let model: MatchModel;
  if (options.model) {
    model = options.model;
  } else {
    fit = fitModel({
      left,
      right,
      pairs,
      random: options.random,
      randomPairs: options.randomPairs,
      onProgress: (stage, d) => report({ stage, pairs: d.pairs, iterations: d.iterations }),
    });
    model = fit.model;
  }
  const matcher = new Matcher(model);
  const results: MatchResult[] = new Array<MatchResult>(pairs.length);
  const step = Math.max(1, Math.floor(pairs.length / 10));
  for (let k = 0; k < pairs.length; k++) {
    const [i, j] = pairs[k];
    results[k] = fit
      ? matcher.evaluate(left[i], other[j], fit.vectors[k])
      : matcher.compare(left[i], other[j]);
    if ((k + 1) % step === 0 || k + 1 === pairs.length)
      report({ stage: 'scored', pairs: pairs.length, done: k + 1 });
  }

  if (right === undefined) {
    const links: Link[] = [];
    results.forEach((r, k) => {
      if (r.band === 'no-match') return;
      links.push({
        leftIndex: pairs[k][0],
        rightIndex: pairs[k][1],
        score: r.score,
        probability: r.probability,
        band: r.band,
      });
    });
    return { links: links.sort((a, b) => b.score - a.score), model, candidatePairs: pairs.length };
  }

  // Pairs the rules rule out (siblings) do not compete with the true partner.
  const odds = results.map((r) =>
    r.band === 'no-match' && r.rules.length > 0 ? 0 : oddsOf(r, model),
  );
  const leftSum = new Float64Array(left.length);
  const rightSum = new Float64Array(other.length);
  pairs.forEach(([i, j], k) => {
    leftSum[i] += odds[k];
    rightSum[j] += odds[k];
  });
  const order = pairs
    .map((_, k) => k)
    .filter((k) => results[k].band !== 'no-match')
    .sort(
      (x, y) =>
        Number(results[y].method === 'deterministic') -
          Number(results[x].method === 'deterministic') || results[y].score - results[x].score,
    );
  const leftTaken = new Uint8Array(left.length);
  const rightTaken = new Uint8Array(other.length);
  const links: Link[] = [];
  for (const k of order) {
    const [i, j] = pairs[k];
    if (leftTaken[i] || rightTaken[j]) continue;
    leftTaken[i] = 1;
    rightTaken[j] = 1;
    const r = results[k];
    const probability =
      oddsOf(r, model) / (1 + Math.max(oddsOf(r, model), leftSum[i] + rightSum[j] - odds[k]));
    let band: MatchBand = r.band;
    if (
      r.method !== 'deterministic' &&
      band === 'match' &&
      matcher.bandFor(probability) !== 'match'
    ) {
      band =
        matcher.bandFor(probability) === 'no-match' ? 'possible' : matcher.bandFor(probability);
    }
    if (band === 'no-match') continue;
    links.push({ leftIndex: i, rightIndex: j, score: r.score, probability, band });
  }
  return { links, model, candidatePairs: pairs.length };
}

export interface LinkQuality {
  truePairs: number;
  matchLinks: number;
  truePositives: number;
  precision: number;
  recall: number;
  f1: number;
  /** True pairs that were linked, but only as `possible`. */
  trueInPossible: number;
  possibleLinks: number;
}

/**
 * Precision, recall and F1 of the `match` band against true pairs of ids. With `unordered`
 * (de-duplication) a pair counts whichever way round it is written.
 */
export function evaluateLinks(
  links: ReadonlyArray<{ leftId: string; rightId: string; band: string }>,
  truth: ReadonlyArray<readonly [string, string]>,
  unordered = false,
): LinkQuality {
  const key = (a: string, b: string): string =>
    unordered && b < a ? `${b}\u0000${a}` : `${a}\u0000${b}`;
  const truthSet = new Set(truth.map(([a, b]) => key(a, b)));
  let matchLinks = 0;
  let tp = 0;
  let possible = 0;
  let trueInPossible = 0;
  for (const l of links) {
    const isTrue = truthSet.has(key(l.leftId, l.rightId));
    if (l.band === 'match') {
      matchLinks++;
      if (isTrue) tp++;
    } else if (l.band === 'possible') {
      possible++;
      if (isTrue) trueInPossible++;
    }
  }
  const precision = matchLinks === 0 ? 0 : tp / matchLinks;
  const recall = truthSet.size === 0 ? 0 : tp / truthSet.size;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    truePairs: truthSet.size,
    matchLinks,
    truePositives: tp,
    precision,
    recall,
    f1,
    trueInPossible,
    possibleLinks: possible,
  };
}
