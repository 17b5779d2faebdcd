import { SqlSourceConnector, type SourceRecord } from '@mash/adapter-sdk';
import type { DataSource } from 'typeorm';
import { loadEducationCandidates } from './identity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const EDUCATION_CATEGORIES = ['enrolment', 'attendance', 'exclusions', 'sen'] as const;

/** Reads the authority's education management system (its own PostgreSQL schema). */
export class EducationConnector extends SqlSourceConnector<DataSource> {
  readonly agency = 'education' as const;

  constructor(db: DataSource) {
    super(db, {
      categories: EDUCATION_CATEGORIES,
      loadCandidates: loadEducationCandidates,
      // The source's own keys are UUIDs: anything else names nobody here.
      subjectRef: UUID,
    });
  }

  protected read(category: string, subjectRef: string): Promise<SourceRecord[]> {
    switch (category) {
      case 'enrolment':
        return this.enrolment(subjectRef);
      case 'attendance':
        return this.attendance(subjectRef);
      case 'exclusions':
        return this.exclusions(subjectRef);
      case 'sen':
        return this.sen(subjectRef);
      default:
        return Promise.resolve([]);
    }
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
