import {
  compareNamePair,
  compareRecords,
  type ComparisonVector,
  exactKey,
  FIELD_INDEX,
  FIELD_LEVELS,
  FIELD_NAMES,
  type FieldName,
} from './compare';
import { IDENTIFIER_KINDS, isCheckedKind, type IdentifierKind } from './identifiers';
import { DEFAULT_THRESHOLDS, levelWeight, type MatchModel, posterior } from './model';
import { isPrepared, type MatchSubject, prepare, type PreparedRecord } from './record';

export type MatchBand = 'match' | 'possible' | 'no-match';

/** Which field agreed at which level, and how much that weighed; never the values. */
export interface MatchEvidence {
  field: FieldName | 'nameOrder';
  level: string;
  /** log2(m/u) */
  weight: number;
}

/**
 * Why a band was lowered (or raised) from what the weight alone gives:
 * - `verified-identifier`: an NHS number or UPN passing its check digit agrees (deterministic match)
 * - `verified-identifier-conflict`: both records have a checked identifier of one kind and they differ
 * - `given-name-conflict`: both given names present and unrelated (not a typo, nickname or middle
 *   name) and no identifier identical: at most `possible`
 * - `possible-sibling`: as above, and family name and exact date of birth agree: twins, `no-match`
 * - `date-of-birth-conflict`: both dates of birth present and unrelated (not swapped, one edit or
 *   the same month) and no identifier identical: at most `possible` (a parent or sibling of the
 *   same name at the same address)
 * - `ambiguous`: another candidate scores close to the best one
 */
export type MatchRule =
  | 'verified-identifier'
  | 'verified-identifier-conflict'
  | 'given-name-conflict'
  | 'possible-sibling'
  | 'date-of-birth-conflict'
  | 'ambiguous';

export interface MatchResult {
  band: MatchBand;
  /** log2 likelihood ratio (sum of evidence weights) */
  score: number;
  /** Posterior probability that the records are the same person. */
  probability: number;
  method: 'deterministic' | 'probabilistic';
  evidence: MatchEvidence[];
  rules: MatchRule[];
}

export interface BestMatch<T> {
  /** The best candidate, absent when there were none. */
  candidate?: T;
  index: number;
  result: MatchResult;
  /** Score of the second best candidate, when there was one. */
  runnerUpScore?: number;
}

const BAND_RANK: Record<MatchBand, number> = { 'no-match': 0, possible: 1, match: 2 };
const lowerOf = (a: MatchBand, b: MatchBand): MatchBand => (BAND_RANK[a] <= BAND_RANK[b] ? a : b);

const NAME_DISAGREE = FIELD_LEVELS.givenName.indexOf('disagree');
const NAME_CLOSE = FIELD_LEVELS.givenName.indexOf('close');
const NAME_FUZZY = FIELD_LEVELS.givenName.indexOf('fuzzy');
const DOB_EXACT = 0;
const DOB_YEAR = FIELD_LEVELS.dateOfBirth.indexOf('year');
const ADDRESS_DISAGREE = FIELD_LEVELS.address.indexOf('disagree');
const DOB_DISAGREE = FIELD_LEVELS.dateOfBirth.indexOf('disagree');

/**
 * Scores pairs of records with a Fellegi-Sunter model plus a few deterministic rules that guard
 * precision where the independence assumption fails (identifiers, twins and siblings).
 */
export class Matcher {
  readonly thresholds: { match: number; possible: number };

  constructor(readonly model: MatchModel) {
    this.thresholds = model.thresholds ?? DEFAULT_THRESHOLDS;
  }

  bandFor(probability: number): MatchBand {
    if (probability >= this.thresholds.match) return 'match';
    if (probability >= this.thresholds.possible) return 'possible';
    return 'no-match';
  }

  compare(a: MatchSubject | PreparedRecord, b: MatchSubject | PreparedRecord): MatchResult {
    const pa = isPrepared(a) ? a : prepare(a);
    const pb = isPrepared(b) ? b : prepare(b);
    return this.evaluate(pa, pb, compareRecords(pa, pb));
  }

  /** The result for a comparison vector already computed by `compareRecords(a, b)`. */
  evaluate(a: PreparedRecord, b: PreparedRecord, v: ComparisonVector): MatchResult {
    const evidence: MatchEvidence[] = [];
    let score = 0;
    for (let f = 0; f < FIELD_NAMES.length; f++) {
      const field = FIELD_NAMES[f];
      if (!this.model.fields[field]) continue;
      if (v[f] < 0) {
        // Say which fields could not be compared when the other side had them.
        if (exactKey(field, a) !== undefined || exactKey(field, b) !== undefined) {
          evidence.push({ field, level: 'missing', weight: 0 });
        }
        continue;
      }
      // A family that moved disagrees on postcode and address together: one piece of evidence,
      // not two, so a full address disagreement adds nothing once the postcode differs at all.
      const weight =
        field === 'address' && v[f] === ADDRESS_DISAGREE && v[FIELD_INDEX.postcode] > 0
          ? 0
          : levelWeight(this.model, field, v[f]);
      score += weight;
      evidence.push({ field, level: FIELD_LEVELS[field][v[f]], weight: round(weight) });
    }
    const given = v[FIELD_INDEX.givenName];
    const family = v[FIELD_INDEX.familyName];
    const dob = v[FIELD_INDEX.dateOfBirth];
    const swapped = given >= 0 && family >= 0 && compareNamePair(a, b).swapped;
    if (swapped) evidence.push({ field: 'nameOrder', level: 'swapped', weight: 0 });

    const probability = posterior(score, this.model.priorLog2Odds);
    let band = this.bandFor(probability);
    let method: MatchResult['method'] = 'probabilistic';
    const rules: MatchRule[] = [];

    const agreed: IdentifierKind[] = [];
    let conflict = false;
    for (const kind of IDENTIFIER_KINDS) {
      if (!isCheckedKind(kind)) continue;
      const ia = a.identifiers[kind];
      const ib = b.identifiers[kind];
      if (!ia?.verified || !ib?.verified) continue;
      if (ia.value === ib.value) agreed.push(kind);
      else conflict = true;
    }
    const sharesIdentifier = IDENTIFIER_KINDS.some((kind) => v[FIELD_INDEX[kind]] === 0);
    // A shared checked identifier is decisive when something personal corroborates it, so a
    // number keyed into the wrong child's record cannot by itself disclose that child.
    const corroborated = (dob >= 0 && dob < DOB_DISAGREE) || (given >= 0 && given <= NAME_FUZZY);
    if (agreed.length > 0 && !conflict && corroborated) {
      band = 'match';
      method = 'deterministic';
      rules.push('verified-identifier');
    } else {
      if (conflict) {
        band = lowerOf(band, 'possible');
        rules.push('verified-identifier-conflict');
      }
      // Siblings share a household, never a personal identifier: an identical one (of any kind)
      // lifts the guard and leaves the decision to the weights.
      if (dob >= DOB_YEAR && !sharesIdentifier) {
        band = lowerOf(band, 'possible');
        rules.push('date-of-birth-conflict');
      }
      if (given === NAME_DISAGREE && !swapped && !sharesIdentifier) {
        band = lowerOf(band, 'possible');
        rules.push('given-name-conflict');
        if (dob === DOB_EXACT && family >= 0 && family <= NAME_CLOSE) {
          band = 'no-match';
          rules.push('possible-sibling');
        }
      }
    }
    return { band, score: round(score), probability, method, evidence, rules };
  }

  /**
   * The candidate most likely to be the query's subject. Candidates are treated as competing
   * explanations of one person: each one's odds are divided by one plus the sum of all
   * candidates' odds, so two near-identical candidates (twins, duplicates) each fall below the
   * `match` threshold and the best is reported as `possible` with the rule `ambiguous`.
   */
  bestMatch<T extends MatchSubject | PreparedRecord>(
    query: MatchSubject | PreparedRecord,
    candidates: readonly T[],
  ): BestMatch<T> {
    const q = isPrepared(query) ? query : prepare(query);
    const results = candidates.map((c) => this.compare(q, c));
    const chosen = this.choose(results);
    return { ...chosen, candidate: chosen.index >= 0 ? candidates[chosen.index] : undefined };
  }

  /** `bestMatch` over results already computed for one query. */
  choose(results: readonly MatchResult[]): BestMatch<never> {
    if (results.length === 0) {
      return {
        index: -1,
        result: {
          band: 'no-match',
          score: 0,
          probability: 0,
          method: 'probabilistic',
          evidence: [],
          rules: [],
        },
      };
    }
    const order = results
      .map((_, i) => i)
      .sort(
        (i, j) => rankKey(results[j]) - rankKey(results[i]) || results[j].score - results[i].score,
      );
    const top = results[order[0]];
    const runner = order.length > 1 ? results[order[1]] : undefined;

    let oddsSum = 0;
    // A candidate the rules have ruled out (a sibling) is not a competing explanation.
    for (const r of results)
      if (r.band !== 'no-match' || r.rules.length === 0) oddsSum += oddsOf(r, this.model);
    const topOdds = oddsOf(top, this.model);
    const probability = topOdds / (1 + Math.max(oddsSum, topOdds));

    const rules = [...top.rules];
    let band: MatchBand;
    if (top.method === 'deterministic') {
      band = runner?.method === 'deterministic' ? 'possible' : 'match';
      if (band === 'possible') rules.push('ambiguous');
    } else {
      band = lowerOf(this.bandFor(probability), top.band);
      // Ambiguity between candidates that each match on their own is for a person to resolve.
      if (band !== 'match' && top.band === 'match') {
        band = 'possible';
        rules.push('ambiguous');
      }
    }
    return {
      index: order[0],
      result: { ...top, band, probability, rules },
      runnerUpScore: runner?.score,
    };
  }
}

const rankKey = (r: MatchResult): number => (r.method === 'deterministic' ? 1 : 0);

/** Posterior odds of a result under the model's prior (capped to stay finite). */
export const oddsOf = (r: MatchResult, model: MatchModel): number =>
  Math.pow(2, Math.min(200, r.score + model.priorLog2Odds));

const round = (x: number): number => Math.round(x * 1000) / 1000;

/** The adapters' query-time entry point: the best of `candidates` for `query` under `model`. */
export function scoreCandidates<T extends MatchSubject | PreparedRecord>(
  query: MatchSubject | PreparedRecord,
  candidates: readonly T[],
  model: MatchModel,
): BestMatch<T> {
  return new Matcher(model).bestMatch(query, candidates);
}

/** Collapses a comparison level to the coarse outcome adapters report (`MatchEvidence.outcome`). */
export function evidenceOutcome(level: string): 'agree' | 'partial' | 'disagree' | 'missing' {
  if (level === 'exact') return 'agree';
  if (level === 'disagree') return 'disagree';
  if (level === 'missing') return 'missing';
  return 'partial';
}
