import {
  insertMashOutcome,
  type FindResult,
  type MashOutcomeFeedback,
  type SourceConnector,
  type SourceRecord,
} from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import type { DataSource } from 'typeorm';
import { createEducationSubjectFinder } from './find-subject';

export const EDUCATION_CATEGORIES = ['enrolment', 'attendance', 'exclusions', 'sen'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the authority's education management system (its own PostgreSQL schema). */
export class EducationConnector implements SourceConnector {
  readonly agency = 'education' as const;
  readonly categories: readonly string[] = EDUCATION_CATEGORIES;

  private readonly find: (criteria: SubjectCriteria) => Promise<FindResult>;

  constructor(private readonly db: DataSource) {
    this.find = createEducationSubjectFinder(db);
  }

  findSubject(criteria: SubjectCriteria): Promise<FindResult> {
    return this.find(criteria);
  }

  /** Unknown categories are left out of the answer; an unknown subject yields empty lists. */
  async fetchRecords(
    subjectRef: string,
    categories: readonly string[],
  ): Promise<Record<string, SourceRecord[]>> {
    const result: Record<string, SourceRecord[]> = {};
    const known = UUID.test(subjectRef);
    for (const category of new Set(categories)) {
      if (category === 'enrolment')
        result.enrolment = known ? await this.enrolment(subjectRef) : [];
      else if (category === 'attendance')
        result.attendance = known ? await this.attendance(subjectRef) : [];
      else if (category === 'exclusions')
        result.exclusions = known ? await this.exclusions(subjectRef) : [];
      else if (category === 'sen') result.sen = known ? await this.sen(subjectRef) : [];
    }
    return result;
  }

  recordOutcome(outcome: MashOutcomeFeedback): Promise<void> {
    return insertMashOutcome(this.db, outcome);
  }

  private enrolment(pupilId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT s.school_name AS "schoolName", e.urn::text AS "urn",
              to_char(e.entry_date, 'YYYY-MM-DD') AS "enrolledOn", e.nc_year_actual AS "yearGroup"
         FROM enrolment e JOIN school s ON s.urn = e.urn
        WHERE e.pupil_id = $1
        ORDER BY e.entry_date DESC`,
      [pupilId],
    );
  }

  /** Percentage of possible sessions attended, to one decimal place. */
  private attendance(pupilId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT term AS "term",
              CASE WHEN sessions_possible > 0
                   THEN round(100.0 * (sessions_possible - sessions_authorised_absence - sessions_unauthorised_absence)
                              / sessions_possible, 1)::float8
              END AS "percentage"
         FROM attendance WHERE pupil_id = $1
        ORDER BY term DESC`,
      [pupilId],
    );
  }

  /** A school day is two sessions. */
  private exclusions(pupilId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT to_char(start_date, 'YYYY-MM-DD') AS "startedOn", category AS "type", reason AS "reason",
              (sessions / 2.0)::float8 AS "days"
         FROM exclusion WHERE pupil_id = $1
        ORDER BY start_date DESC`,
      [pupilId],
    );
  }

  private sen(pupilId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT sen_provision AS "provision", need_type AS "needType"
         FROM sen_need WHERE pupil_id = $1
        ORDER BY need_rank`,
      [pupilId],
    );
  }
}
