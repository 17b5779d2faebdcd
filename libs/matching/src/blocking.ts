import { IDENTIFIER_KINDS, type IdentifierKind } from './identifiers';
import { isPrepared, type MatchSubject, prepare, type PreparedRecord } from './record';

const KIND_CODE: Record<IdentifierKind, string> = {
  nhsNumber: 'n',
  upn: 'u',
  pncId: 'p',
  laChildId: 'l',
  other: 'o',
};

/**
 * Blocking keys of a record: short strings (at most about 40 characters) that two records of the
 * same person are likely to share, so candidates come from an index lookup instead of a scan.
 * Each rule survives a different kind of error:
 * - `f:<NYSIIS family>:<birth year>:<given initial>`  nicknames, typos after the first letter, day/month swaps
 * - `g:<given initial>:<YYYYMMDD>`     family-name changes (step-parent's surname)
 * - `d:<family initial>:<YYYYMMDD>`    given-name changes and nicknames
 * - `p:<postcode>:<birth year>`        both names mistyped
 * - `n:<NYSIIS>:<NYSIIS>:<birth month>` a wrong day or year of birth (names in either order)
 * The family and name keys carry the given initial and the birth month so that a common name in a
 * source of a million people still gives buckets of a few records, not hundreds.
 * - `i:<kind>:<identifier>`            everything else wrong
 * Adapters store these in a table `(key, record id)` with a btree index on key.
 */
export function blockingKeys(subject: MatchSubject | PreparedRecord): string[] {
  const r = isPrepared(subject) ? subject : prepare(subject);
  const keys = new Set<string>();
  const year = r.dob ? String(r.dob.year) : undefined;
  if (r.family && year && r.given) keys.add(`f:${r.family.phonetic}:${year}:${r.given.compact[0]}`);
  if (r.given && r.dob) keys.add(`g:${r.given.compact[0]}:${r.dob.compact}`);
  if (r.family && r.dob) keys.add(`d:${r.family.compact[0]}:${r.dob.compact}`);
  if (r.postcode && year) keys.add(`p:${r.postcode.normalised.replace(/ /g, '')}:${year}`);
  if (r.given && r.family) {
    const [x, y] = [r.given.phonetic, r.family.phonetic].sort();
    keys.add(r.dob ? `n:${x}:${y}:${r.dob.month}` : `n:${x}:${y}`);
  }
  for (const kind of IDENTIFIER_KINDS) {
    const id = r.identifiers[kind];
    if (id) keys.add(`i:${KIND_CODE[kind]}:${id.value.slice(0, 36)}`);
  }
  return [...keys];
}

/** An in-memory blocking index: key -> ids of the records that carry it. */
export class BlockingIndex<Id = string> {
  private readonly buckets = new Map<string, Id[]>();

  /**
   * @param maxBucket keys shared by more records than this are ignored at lookup (a very common
   *   name in one birth year, say): they add many comparisons and little evidence.
   */
  constructor(private readonly maxBucket = 1000) {}

  add(id: Id, keys: readonly string[]): void {
    for (const key of keys) {
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(id);
      else this.buckets.set(key, [id]);
    }
  }

  /** Ids sharing at least one key with `keys`. */
  candidates(keys: readonly string[]): Set<Id> {
    const out = new Set<Id>();
    for (const key of keys) {
      const bucket = this.buckets.get(key);
      if (!bucket || bucket.length > this.maxBucket) continue;
      for (const id of bucket) out.add(id);
    }
    return out;
  }

  get size(): number {
    return this.buckets.size;
  }
}

/**
 * Candidate pairs for linking `left` to `right` (or de-duplicating `left`), as index pairs.
 * In de-duplication each unordered pair appears once, with i < j.
 */
export function candidatePairs(
  left: readonly PreparedRecord[],
  right?: readonly PreparedRecord[],
  options: { maxBucket?: number } = {},
): Array<[number, number]> {
  const target = right ?? left;
  const index = new BlockingIndex<number>(options.maxBucket);
  target.forEach((r, j) => index.add(j, blockingKeys(r)));
  const pairs: Array<[number, number]> = [];
  left.forEach((r, i) => {
    for (const j of index.candidates(blockingKeys(r))) {
      if (right === undefined && j <= i) continue;
      pairs.push([i, j]);
    }
  });
  return pairs;
}
