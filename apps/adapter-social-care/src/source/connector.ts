import { SqlSourceConnector, type SourceRecord, type SqlSourceOptions } from '@mash/adapter-sdk';
import type { Queryable } from '@mash/matching';
import { loadSocialCareCandidates } from './identity';

export const SOCIAL_CARE_CATEGORIES = ['involvement'] as const;

interface EpisodeRow {
  referralDate: string | null;
  assessmentDate: string | null;
  cinPlanStart: string | null;
  cppStart: string | null;
  cppCategory: string | null;
}

interface LookedAfterRow {
  lookedAfterStart: string;
  legalStatus: string;
}

export interface Involvement extends EpisodeRow {
  lookedAfterStart: string | null;
  legalStatus: string | null;
}

/**
 * One involvement per referral (CIN episode), oldest first, with the first assessment, CIN plan
 * and child protection plan of that episode; a looked-after period belongs to the latest referral
 * made on or before it started, or stands alone when it predates every referral.
 */
export function toInvolvements(episodes: EpisodeRow[], periods: LookedAfterRow[]): Involvement[] {
  const result: Involvement[] = episodes.map((e) => ({
    ...e,
    lookedAfterStart: null,
    legalStatus: null,
  }));
  for (const period of periods) {
    let owner: Involvement | undefined;
    for (const involvement of result) {
      if (involvement.referralDate !== null && involvement.referralDate <= period.lookedAfterStart)
        owner = involvement;
    }
    if (
      owner &&
      (owner.lookedAfterStart === null || owner.lookedAfterStart < period.lookedAfterStart)
    ) {
      owner.lookedAfterStart = period.lookedAfterStart;
      owner.legalStatus = period.legalStatus;
    } else if (!owner) {
      result.unshift({
        referralDate: null,
        assessmentDate: null,
        cinPlanStart: null,
        cppStart: null,
        cppCategory: null,
        ...period,
      });
    }
  }
  return result;
}

/**
 * Reads the authority's children's social care system (its own PostgreSQL schema, read-only). The
 * one example adapter written as code rather than a connector file: an involvement folds
 * looked-after periods into referrals (`toInvolvements`), which is clearer in TypeScript than in SQL.
 */
export class SocialCareConnector extends SqlSourceConnector {
  readonly agency = 'social-care' as const;

  constructor(
    source: Queryable,
    store: Queryable,
    options: Pick<SqlSourceOptions, 'outcomes'> = {},
  ) {
    super(source, {
      categories: SOCIAL_CARE_CATEGORIES,
      loadCandidates: loadSocialCareCandidates,
      store,
      ...options,
      changedSince: async (db, since) =>
        (await db.query(
          `SELECT la_child_id AS ref, updated_at AS "changedAt" FROM child
            WHERE $1::timestamptz IS NULL OR updated_at >= $1`,
          [since],
        )) as Array<{ ref: string; changedAt: Date }>,
    });
  }

  protected read(category: string, subjectRef: string): Promise<SourceRecord[]> {
    switch (category) {
      case 'involvement':
        return this.involvement(subjectRef);
      default:
        return Promise.resolve([]);
    }
  }

  private async involvement(laChildId: string): Promise<SourceRecord[]> {
    const episodes = (await this.db.query(
      `SELECT to_char(r.cin_referral_date, 'YYYY-MM-DD') AS "referralDate",
              (SELECT to_char(min(a.assessment_actual_start_date), 'YYYY-MM-DD') FROM assessment a
                WHERE a.referral_id = r.referral_id) AS "assessmentDate",
              (SELECT to_char(min(p.cin_plan_start_date), 'YYYY-MM-DD') FROM cin_plan p
                WHERE p.referral_id = r.referral_id) AS "cinPlanStart",
              to_char(cpp.cpp_start_date, 'YYYY-MM-DD') AS "cppStart",
              cpp.initial_category_of_abuse AS "cppCategory"
         FROM cin_referral r
         LEFT JOIN LATERAL (
              SELECT c.cpp_start_date, c.initial_category_of_abuse FROM child_protection_plan c
               WHERE c.referral_id = r.referral_id ORDER BY c.cpp_start_date LIMIT 1) cpp ON true
        WHERE r.la_child_id = $1
        ORDER BY r.cin_referral_date, r.referral_id`,
      [laChildId],
    )) as EpisodeRow[];
    const periods = (await this.db.query(
      `SELECT to_char(period_start, 'YYYY-MM-DD') AS "lookedAfterStart", legal_status AS "legalStatus"
         FROM looked_after_episode WHERE la_child_id = $1
        ORDER BY period_start`,
      [laChildId],
    )) as LookedAfterRow[];
    return toInvolvements(episodes, periods).map((i) => ({ ...i }));
  }
}
