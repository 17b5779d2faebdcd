import { MatchKeyEntity, MatchModelEntity } from '@mash/adapter-sdk';
import type { Agency } from '@mash/contracts';
import {
  CURRENT_MODEL_ID,
  fitSourceModel,
  type MatchModel,
  matchKeyRows,
  seededRandom,
  type SourceCandidate,
} from '@mash/matching';
import type { ObjectLiteral } from 'typeorm';
import {
  EducationPupil,
  educationCandidate,
  type EducationIdentityRow,
} from '../../apps/adapter-education/src/source';
import {
  HealthPatient,
  healthCandidate,
  type HealthIdentityRow,
} from '../../apps/adapter-health/src/source';
import {
  PolicePerson,
  PolicePersonAddress,
  policeCandidate,
  type PoliceAddressRow,
  type PoliceIdentityRow,
} from '../../apps/adapter-police/src/source';
import {
  SocialCareChild,
  socialCareCandidate,
  type SocialCareIdentityRow,
} from '../../apps/adapter-social-care/src/source';
import type { AgencySeed, TableRows } from './model';

const rowsOf = (seed: AgencySeed, entity: unknown): ObjectLiteral[] =>
  seed.tables.find((t) => t.entity === entity)?.rows ?? [];

/** Each record of the agency as the matcher sees it, from the rows the seed is about to write. */
export function sourceCandidates(seed: AgencySeed): SourceCandidate[] {
  switch (seed.agency) {
    case 'health':
      return rowsOf(seed, HealthPatient).map((r) => healthCandidate(r as HealthIdentityRow));
    case 'education':
      return rowsOf(seed, EducationPupil).map((r) => educationCandidate(r as EducationIdentityRow));
    case 'social-care':
      return rowsOf(seed, SocialCareChild).map((r) =>
        socialCareCandidate(r as SocialCareIdentityRow),
      );
    case 'police': {
      const addresses = new Map<string, PoliceAddressRow[]>();
      for (const a of rowsOf(seed, PolicePersonAddress) as PoliceAddressRow[]) {
        const list = addresses.get(a.personId);
        if (list) list.push(a);
        else addresses.set(a.personId, [a]);
      }
      return rowsOf(seed, PolicePerson).map((r) =>
        policeCandidate(
          r as PoliceIdentityRow,
          addresses.get((r as PoliceIdentityRow).personId) ?? [],
        ),
      );
    }
    default:
      // An agency the synthetic town does not seed (one added to the registry) has no records here.
      return [];
  }
}

export interface MatchingOptions {
  /** Query-side records sampled from the other agencies for fitting (default 20,000). */
  fitQueries?: number;
  /** Random pairs for the u-probabilities (default 100,000). */
  randomPairs?: number;
  /**
   * `YYYY-MM-DD`: only query-side records born on or after this day are used for fitting. The
   * adapters answer MASH queries about children, and a child's birth date is shared by more
   * records than an average date is, so a model fitted on adults' queries would overstate it.
   */
  queriesBornFrom?: string;
  log?: (message: string) => void;
}

/**
 * The `match_key` rows and the fitted `match_model` row of every agency, to be written with the
 * agency's data. Each model is fitted by EM, without labels, on the candidate pairs between the
 * agency's own records and a sample of the other agencies' records (the kind of view a query
 * carries); truth.csv is never read.
 */
export function matchingTables(
  seeds: readonly AgencySeed[],
  options: MatchingOptions = {},
): Map<Agency, TableRows[]> {
  const candidates = new Map(seeds.map((s) => [s.agency, sourceCandidates(s)]));
  const result = new Map<Agency, TableRows[]>();
  for (const seed of seeds) {
    const own = candidates.get(seed.agency) ?? [];
    const t = Date.now();
    const bornFrom = options.queriesBornFrom;
    const others = seeds
      .filter((s) => s.agency !== seed.agency)
      .flatMap((s) => candidates.get(s.agency) ?? [])
      .filter((c) => {
        const dob = c.variants[0]?.dateOfBirth;
        return bornFrom === undefined || (typeof dob === 'string' && dob >= bornFrom);
      });
    const queries = sample(others, options.fitQueries ?? 20_000, seed.agency).map(
      (c) => c.variants[0],
    );
    let model: MatchModel | undefined;
    if (own.length > 1 && queries.length > 0) {
      try {
        model = fitSourceModel({
          source: own.map((c) => c.variants[0]),
          queries,
          randomPairs: options.randomPairs ?? Math.min(100_000, Math.max(20_000, own.length * 10)),
        });
      } catch (error) {
        // Too little data to fit: the connector falls back to the default model.
        if ((error as { code?: string }).code !== 'MATCHING.NO_CANDIDATE_PAIRS') throw error;
      }
    }
    const keys = own.flatMap(matchKeyRows);
    const key = MatchKeyEntity;
    const modelEntity = MatchModelEntity;
    const tables: TableRows[] = [{ entity: key as TableRows['entity'], rows: keys }];
    if (model) {
      tables.push({
        entity: modelEntity as TableRows['entity'],
        rows: [{ id: CURRENT_MODEL_ID, model, fittedAt: new Date() }],
      });
    }
    options.log?.(
      `${seed.agency}: ${keys.length} match keys, model ${model ? `fitted on ${model.training?.candidatePairs} candidate pairs (${model.training?.iterations} EM iterations)` : 'not fitted (default)'} in ${Date.now() - t} ms`,
    );
    result.set(seed.agency, tables);
  }
  return result;
}

/** A deterministic sample of at most n items. */
function sample<T>(items: readonly T[], n: number, salt: string): T[] {
  if (items.length <= n) return [...items];
  let seed = 0;
  for (const c of salt) seed = (seed * 31 + c.charCodeAt(0)) >>> 0;
  const random = seededRandom(seed);
  const copy = [...items];
  for (let i = 0; i < n; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, n);
}
