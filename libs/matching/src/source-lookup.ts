import { blockingKeys, candidatePairs } from './blocking';
import { FIELD_INDEX, FIELD_LEVELS, FIELD_NAMES, type FieldName } from './compare';
import { defaultModel } from './default-model';
import { IDENTIFIER_KINDS, isCheckedKind } from './identifiers';
import { Matcher, type MatchResult, evidenceOutcome } from './matcher';
import {
  expectationMaximisation,
  type FitInput,
  fitModel,
  loadModel,
  type MatchModel,
} from './model';
import { type MatchSubject, prepare, type PreparedRecord, queryVariants } from './record';

/*
 * Query-time lookup in an agency's own database: blocking keys in a `match_key` table (btree on
 * key), the candidates' identity fields loaded by the agency's own SQL, then `Matcher`. No I/O
 * here beyond the `Queryable` handed in, so it runs against a TypeORM DataSource or a pg client.
 */

/** What a TypeORM `DataSource` or a `pg` client offers; rows come back as an array. */
export interface Queryable {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** One record of the source, possibly held several ways (a former UPN, a preferred surname). */
export interface SourceCandidate {
  ref: string;
  /** Each is scored against the query and the best one stands for the record. */
  variants: MatchSubject[];
}

/** The answer an adapter gives the SDK (structurally `FindResult` of `@mash/adapter-sdk`). */
export interface SourceLookupResult {
  status: 'match' | 'possible-match' | 'no-match';
  /** Only for `match`. */
  subjectRef?: string;
  /** Posterior probability that the best candidate is the subject. */
  confidence: number;
  /** `deterministic:<identifier>` or `probabilistic`. */
  method: string;
  /** Which fields agreed, never their values. */
  evidence?: Array<{
    field: string;
    outcome: 'agree' | 'partial' | 'disagree' | 'missing';
    weight: number;
  }>;
  /** How many candidates blocking produced (for metrics and benchmarks; carries no personal data). */
  candidates: number;
}

export interface SourceMatcherOptions {
  db: Queryable;
  /** Loads the identity fields of the given refs (`$1` is a text[] of refs). */
  loadCandidates: (db: Queryable, refs: string[]) => Promise<SourceCandidate[]>;
  /** At most this many candidates are scored, those sharing most keys first. Default 200. */
  candidateLimit?: number;
  /** Used when the database holds no fitted model (its prior is 1 : this many records). */
  fallbackPopulation?: number;
}

export const MATCH_KEY_TABLE = 'match_key';
export const MATCH_MODEL_TABLE = 'match_model';
/** The id of the model row the seed writes and the connector reads. */
export const CURRENT_MODEL_ID = 'current';

/**
 * Finds a subject in one agency's source: blocking by index, identity fields of a bounded
 * candidate set, Fellegi-Sunter scoring. The fitted model is read once from `match_model`.
 */
export class SourceMatcher {
  private matcher?: Promise<Matcher>;
  private readonly limit: number;

  constructor(private readonly options: SourceMatcherOptions) {
    this.limit = options.candidateLimit ?? 200;
  }

  /** The model in use: the stored one, else `defaultModel`. Loaded on first use only. */
  model(): Promise<MatchModel> {
    return this.getMatcher().then((m) => m.model);
  }

  private getMatcher(): Promise<Matcher> {
    this.matcher ??= readStoredModel(this.options.db)
      .then((stored) => new Matcher(stored ?? defaultModel(this.options.fallbackPopulation)))
      .catch((error: unknown) => {
        this.matcher = undefined; // try again on the next lookup
        throw error;
      });
    return this.matcher;
  }

  async find(criteria: MatchSubject): Promise<SourceLookupResult> {
    const matcher = await this.getMatcher();
    // A previous family name is a second way the agency may hold the person: block and score on each.
    const queries = queryVariants(criteria).map((q) => prepare(q));
    const keys = [...new Set(queries.flatMap((q) => blockingKeys(q)))];
    if (keys.length === 0) return noMatch(0);
    const refs = (await this.options.db.query(
      `SELECT subject_ref AS ref FROM ${MATCH_KEY_TABLE} WHERE key = ANY($1::text[])
        GROUP BY subject_ref ORDER BY count(*) DESC, subject_ref LIMIT ${this.limit}`,
      [keys],
    )) as Array<{ ref: string }>;
    if (refs.length === 0) return noMatch(0);
    const candidates = await this.options.loadCandidates(
      this.options.db,
      refs.map((r) => r.ref),
    );
    return decide(matcher, queries, candidates);
  }
}

/**
 * The best candidate for a prepared query, as the adapter reports it. Given several ways of
 * writing the query (`queryVariants`), each candidate is scored by the one it agrees with best.
 */
export function decide(
  matcher: Matcher,
  query: PreparedRecord | readonly PreparedRecord[],
  all: readonly SourceCandidate[],
): SourceLookupResult {
  const queries: readonly PreparedRecord[] = Array.isArray(query)
    ? query
    : [query as PreparedRecord];
  const scored = all.map((c) => ({ candidate: c, ...bestVariant(matcher, queries, c.variants) }));
  const kept = withoutDuplicates(matcher, scored);
  const chosen = matcher.choose(kept.map((s) => s.result));
  if (chosen.index < 0) return noMatch(all.length);
  const { result } = chosen;
  const evidence = result.evidence
    .filter((e): e is typeof e & { field: FieldName } => e.field !== 'nameOrder')
    .map((e) => ({ field: e.field, outcome: evidenceOutcome(e.level), weight: e.weight }));
  const method = methodOf(result, kept[chosen.index].query, kept[chosen.index].variant);
  if (result.band === 'match') {
    return {
      status: 'match',
      subjectRef: kept[chosen.index].candidate.ref,
      confidence: result.probability,
      method,
      evidence,
      candidates: all.length,
    };
  }
  if (result.band === 'possible') {
    return {
      status: 'possible-match',
      confidence: result.probability,
      method,
      evidence,
      candidates: all.length,
    };
  }
  return noMatch(all.length, result.probability);
}

interface Scored {
  candidate: SourceCandidate;
  query: PreparedRecord;
  variant: MatchSubject;
  result: MatchResult;
}

/**
 * A duplicate registration (a second record for one child, identical in name, birth date, sex
 * and address, but without the identifier the first carries) is the same explanation, not a
 * competing one: keep the copy with the identifier. Twins recorded alike either each carry their
 * own number or neither does, so they stay apart and the answer stays ambiguous.
 */
function withoutDuplicates(matcher: Matcher, scored: Scored[]): Scored[] {
  const matches = scored.filter((s) => s.result.band === 'match');
  if (matches.length !== 2) return scored;
  const [x, y] = matches;
  if (hasIdentifier(x.variant) === hasIdentifier(y.variant)) return scored;
  if (!identicalApartFromIdentifiers(matcher, x.variant, y.variant)) return scored;
  const drop = hasIdentifier(x.variant) ? y : x;
  return scored.filter((s) => s !== drop);
}

const hasIdentifier = (s: MatchSubject): boolean =>
  Object.values(s.identifiers ?? {}).some((v) => typeof v === 'string' && v.trim().length > 0);

function identicalApartFromIdentifiers(
  matcher: Matcher,
  a: MatchSubject,
  b: MatchSubject,
): boolean {
  const r = matcher.compare(a, b);
  const compared = r.evidence.filter(
    (e) => e.level !== 'missing' && !(IDENTIFIER_KINDS as readonly string[]).includes(e.field),
  );
  return compared.length >= 4 && compared.every((e) => e.level === 'exact');
}

function bestVariant(
  matcher: Matcher,
  queries: readonly PreparedRecord[],
  variants: readonly MatchSubject[],
): { query: PreparedRecord; variant: MatchSubject; result: MatchResult } {
  let best: { query: PreparedRecord; variant: MatchSubject; result: MatchResult } | undefined;
  for (const query of queries)
    for (const variant of variants) {
      const result = matcher.compare(query, variant);
      if (!best || better(result, best.result)) best = { query, variant, result };
    }
  return best ?? { query: queries[0], variant: {}, result: matcher.compare(queries[0], {}) };
}

const RANK = { 'no-match': 0, possible: 1, match: 2 } as const;
function better(a: MatchResult, b: MatchResult): boolean {
  if (a.method !== b.method) return a.method === 'deterministic';
  if (a.band !== b.band) return RANK[a.band] > RANK[b.band];
  return a.score > b.score;
}

/** `deterministic:<identifier kind that agreed>` or `probabilistic`. */
function methodOf(result: MatchResult, query: PreparedRecord, variant: MatchSubject): string {
  if (result.method !== 'deterministic') return 'probabilistic';
  const candidate = prepare(variant);
  const kind = IDENTIFIER_KINDS.find((k) => {
    const a = query.identifiers[k];
    const b = candidate.identifiers[k];
    return isCheckedKind(k) && a?.verified && b?.verified && a.value === b.value;
  });
  return `deterministic:${kind ?? 'identifier'}`;
}

const noMatch = (candidates: number, confidence = 0): SourceLookupResult => ({
  status: 'no-match',
  confidence,
  method: 'probabilistic',
  candidates,
});

async function readStoredModel(db: Queryable): Promise<MatchModel | undefined> {
  const rows = (await db.query(`SELECT model FROM ${MATCH_MODEL_TABLE} WHERE id = $1`, [
    CURRENT_MODEL_ID,
  ])) as Array<{ model: unknown }>;
  return rows.length > 0 ? loadModel(rows[0].model) : undefined;
}

/** Blocking keys of every variant of a record, deduplicated: the rows of `match_key` for it. */
export function matchKeyRows(
  candidate: SourceCandidate,
): Array<{ key: string; subjectRef: string }> {
  const keys = new Set<string>();
  for (const v of candidate.variants) for (const k of blockingKeys(v)) keys.add(k);
  return [...keys].map((key) => ({ key, subjectRef: candidate.ref }));
}

export interface FitSourceModelInput {
  /** The agency's own records (first variant of each is used). */
  source: readonly MatchSubject[];
  /**
   * Unlabelled records of the kind queries will carry (another system's view of the same
   * area's people). Never labels: EM decides which pairs are the same person.
   */
  queries: readonly MatchSubject[];
  randomPairs?: number;
  onProgress?: FitInput['onProgress'];
}

/**
 * Fits the lookup model for one source without labels. u-probabilities and the prior come from
 * `fitModel` over all candidate pairs between query-like records and the source. m-probabilities
 * are then re-estimated by EM in two sessions, each over a subset of pairs that agree exactly on
 * some fields, with those fields left out (the approach of Splink's training blocking rules):
 * pairs sharing a date of birth estimate every other field, pairs sharing both names estimate the
 * date of birth. Over all candidate pairs at once, EM takes "same household" for "same person"
 * (siblings share surname, postcode and address) and learns that a true match never moves house.
 */
export function fitSourceModel(input: FitSourceModelInput): MatchModel {
  const left = input.queries.map((q) => prepare(q));
  const right = input.source.map((s) => prepare(s));
  const pairs = candidatePairs(left, right);
  const { model, vectors } = fitModel({
    left,
    right,
    pairs,
    randomPairs: input.randomPairs,
    onProgress: input.onProgress,
  });
  const sessions: Array<{ on: FieldName[]; estimate: (f: FieldName) => boolean }> = [
    { on: ['dateOfBirth'], estimate: (f) => f !== 'dateOfBirth' },
    { on: ['givenName', 'familyName'], estimate: (f) => f === 'dateOfBirth' },
  ];
  const fields = { ...model.fields };
  for (const session of sessions) {
    const subset = vectors
      .filter((v) => session.on.every((f) => v[FIELD_INDEX[f]] === 0))
      .map((v) => {
        const masked = Int8Array.from(v);
        for (const f of session.on) masked[FIELD_INDEX[f]] = -1;
        return masked;
      });
    if (subset.length < 50) continue;
    const em = expectationMaximisation(
      subset,
      FIELD_NAMES.map((f) => FIELD_LEVELS[f].length),
      {
        m: FIELD_NAMES.map((f) => model.fields[f]?.m ?? uniform(FIELD_LEVELS[f].length)),
        u: FIELD_NAMES.map((f) => model.fields[f]?.u ?? uniform(FIELD_LEVELS[f].length)),
        lambda: 0.5,
      },
      { fixU: true, pseudoCount: 0.5 },
    );
    for (const f of FIELD_NAMES) {
      const current = fields[f];
      if (!current || !session.estimate(f)) continue;
      fields[f] = { ...current, m: em.m[FIELD_INDEX[f]] };
    }
  }
  // Fields the query side never carried (health's NHS number when no other agency holds it)
  // cannot be estimated here; the hand-set weights stand in for them.
  const fallback = defaultModel().fields;
  for (const f of FIELD_NAMES) fields[f] ??= fallback[f];
  return { ...model, fields: withKeyingSlipFloor(fields) };
}

/**
 * EM learns m only from how the agencies' own records differ from each other. Where they agree
 * cleanly (police and social care rarely mistype a child they know), it drives m of the partial
 * levels (a transposed letter, day and month swapped) towards zero, and a slip then weighs
 * *against* the match, below a fuzzy name. A referral is typed from a phone call and carries slips
 * the training pairs never showed, so each partial level keeps at least the hand-set keying-error
 * rate of `defaultModel`; the mass comes from the exact level. Full disagreement is left as fitted,
 * and so are postcode, address and identifiers, whose near misses are as likely a neighbour's.
 */
const SLIP_FIELDS: ReadonlySet<FieldName> = new Set(['givenName', 'familyName', 'dateOfBirth']);

export function withKeyingSlipFloor(fields: MatchModel['fields']): MatchModel['fields'] {
  const hand = defaultModel().fields;
  const result: MatchModel['fields'] = {};
  for (const [name, fitted] of Object.entries(fields) as Array<
    [FieldName, NonNullable<MatchModel['fields'][FieldName]>]
  >) {
    const floor = SLIP_FIELDS.has(name) ? hand[name]?.m : undefined;
    const last = fitted.m.length - 1;
    if (!floor || floor.length !== fitted.m.length) {
      result[name] = fitted;
      continue;
    }
    const m = fitted.m.map((p, l) => (l > 0 && l < last ? Math.max(p, floor[l]) : p));
    const excess = m.reduce((a, b) => a + b, 0) - 1;
    m[0] = Math.max(m[0] - excess, floor[0]);
    const sum = m.reduce((a, b) => a + b, 0);
    result[name] = { ...fitted, m: m.map((p) => p / sum) };
  }
  return result;
}

const uniform = (n: number): number[] => new Array<number>(n).fill(1 / n);
