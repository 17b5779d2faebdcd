import type { FindResult } from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import { type Queryable, SourceMatcher } from '@mash/matching';
import { loadPoliceCandidates } from './identity';

/**
 * Probabilistic lookup: blocking keys from `match_key`, at most 200 candidates, the model the
 * seed fitted to this source (`match_model`, read once), and `@mash/matching`'s bands.
 */
export function createPoliceSubjectFinder(
  db: Queryable,
): (criteria: SubjectCriteria) => Promise<FindResult> {
  const matcher = new SourceMatcher({ db, loadCandidates: loadPoliceCandidates });
  return async (criteria) => {
    const { candidates: _candidates, ...result } = await matcher.find(criteria);
    return result;
  };
}
