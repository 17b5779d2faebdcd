import type { Agency, SubjectCriteria } from '@mash/contracts';
import {
  MATCH_MODEL_TABLE,
  SourceMatcher,
  type Queryable,
  type SourceCandidate,
} from '@mash/matching';
import type { FindResult, MashOutcomeFeedback, SourceConnector, SourceRecord } from './connector';
import type { ChangeFeed } from './match-index';
import type { OutcomeSink } from './outcome-sink';
import { insertMashOutcome } from './outcome-table';

export interface SqlSourceOptions {
  /** The categories this source can release, in the agreement's names. */
  categories: readonly string[];
  /** Loads the identity fields of the given refs from the source (`$1` is a text[] of refs). */
  loadCandidates: (db: Queryable, refs: string[]) => Promise<SourceCandidate[]>;
  /**
   * The adapter's own store, where the match index (`match_key`, `match_model`) and, by default,
   * fed-back outcomes (`mash_outcome`) live. Never the source.
   */
  store: Queryable;
  /** Where fed-back outcomes go; default the store's `mash_outcome` table. */
  outcomes?: OutcomeSink;
  /**
   * The refs of source records changed at or after a time (all when null), with when they
   * changed: the feed that keeps the match index up. Without it only the seed fills the index.
   */
  changedSince?: (
    db: Queryable,
    since: Date | null,
  ) => Promise<Array<{ ref: string; changedAt: Date }>>;
  /**
   * What a subject ref of this source looks like; a ref that does not fit is unknown and yields
   * empty lists without a query. Default: any ref is looked up.
   */
  subjectRef?: RegExp;
}

/**
 * The connector of an agency whose source system is a SQL database, read with read-only
 * credentials. It finds subjects with `@mash/matching`'s `SourceMatcher` over the adapter's own
 * match index, answers only the categories it knows, and hands fed-back outcomes to the agency's
 * chosen interface; a subclass writes only `read`, the SQL of each category. Most sources need no
 * subclass at all: a connector file (`ConfiguredConnector`) says the same in SQL.
 */
export abstract class SqlSourceConnector<
  Db extends Queryable = Queryable,
> implements SourceConnector {
  abstract readonly agency: Agency;
  readonly categories: readonly string[];
  readonly changeFeed?: ChangeFeed;
  private readonly matcher: SourceMatcher;
  private readonly subjectRef: RegExp | undefined;
  private readonly outcomes: OutcomeSink;
  private readonly store: Queryable;

  protected constructor(
    protected readonly db: Db,
    options: SqlSourceOptions,
  ) {
    this.categories = options.categories;
    this.subjectRef = options.subjectRef;
    const { store, loadCandidates, changedSince } = options;
    this.store = store;
    // Keys come from the store; the candidates' identity fields from the source.
    this.matcher = new SourceMatcher({
      db: store,
      loadCandidates: (_, refs) => loadCandidates(db, refs),
    });
    this.outcomes = options.outcomes ?? { deliver: (o) => insertMashOutcome(store, o) };
    if (changedSince)
      this.changeFeed = {
        changedSince: (since) => changedSince(db, since),
        loadCandidates: (refs) => loadCandidates(db, refs),
      };
  }

  /** The records of one known category about one subject, newest first unless said otherwise. */
  protected abstract read(category: string, subjectRef: string): Promise<SourceRecord[]>;

  async findSubject(criteria: SubjectCriteria): Promise<FindResult> {
    // The candidate count is for metrics and benchmarks only; it is not part of the answer.
    const { candidates: _candidates, ...result } = await this.matcher.find(criteria);
    return result;
  }

  /** Unknown categories are left out of the answer; an unknown subject yields empty lists. */
  async fetchRecords(
    subjectRef: string,
    categories: readonly string[],
  ): Promise<Record<string, SourceRecord[]>> {
    const result: Record<string, SourceRecord[]> = {};
    const known = this.subjectRef?.test(subjectRef) ?? true;
    for (const category of new Set(categories)) {
      if (!this.categories.includes(category)) continue;
      result[category] = known ? await this.read(category, subjectRef) : [];
    }
    return result;
  }

  /**
   * How fresh what this adapter searches is: the newest source change its match index has taken
   * in (the change feed's watermark), or else when the matching model was last fitted.
   */
  async dataAsOf(): Promise<Date | null> {
    const rows = (await this.store.query(
      `SELECT COALESCE((SELECT max(changed_up_to) FROM match_index_state),
                       (SELECT max(fitted_at) FROM ${MATCH_MODEL_TABLE})) AS at`,
    )) as Array<{ at: Date | string | null }> | undefined;
    const at = rows?.[0]?.at;
    return at ? new Date(at) : null;
  }

  recordOutcome(outcome: MashOutcomeFeedback): Promise<void> {
    return this.outcomes.deliver(outcome);
  }
}
