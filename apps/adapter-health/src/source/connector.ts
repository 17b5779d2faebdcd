import {
  insertMashOutcome,
  type FindResult,
  type MashOutcomeFeedback,
  type SourceConnector,
  type SourceRecord,
} from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import type { DataSource } from 'typeorm';
import { createHealthSubjectFinder } from './find-subject';

export const HEALTH_CATEGORIES = ['attendances', 'flags', 'gp'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the trust's FHIR-shaped patient store (its own PostgreSQL schema). */
export class HealthConnector implements SourceConnector {
  readonly agency = 'health' as const;
  readonly categories: readonly string[] = HEALTH_CATEGORIES;

  private readonly find: (criteria: SubjectCriteria) => Promise<FindResult>;

  constructor(private readonly db: DataSource) {
    this.find = createHealthSubjectFinder(db);
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
      if (category === 'attendances')
        result.attendances = known ? await this.attendances(subjectRef) : [];
      else if (category === 'flags') result.flags = known ? await this.flags(subjectRef) : [];
      else if (category === 'gp') result.gp = known ? await this.gp(subjectRef) : [];
    }
    return result;
  }

  recordOutcome(outcome: MashOutcomeFeedback): Promise<void> {
    return insertMashOutcome(this.db, outcome);
  }

  private attendances(patientId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT to_char(period_start AT TIME ZONE 'Europe/London', 'YYYY-MM-DD') AS "attendedOn",
              department AS "department", reason_text AS "reason", discharge_disposition AS "outcome"
         FROM encounter WHERE patient_id = $1 AND class_code = 'EMER'
        ORDER BY period_start DESC`,
      [patientId],
    );
  }

  /** Current CP-IS flags only: an ended plan is no longer flagged to clinicians either. */
  private flags(patientId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT CASE code WHEN 'CPP' THEN 'child-protection-plan' WHEN 'LAC' THEN 'looked-after' END AS "type",
              to_char(period_start, 'YYYY-MM-DD') AS "startedOn"
         FROM flag WHERE patient_id = $1 AND status = 'active' AND code IN ('CPP', 'LAC')
        ORDER BY period_start DESC`,
      [patientId],
    );
  }

  private gp(patientId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT o.name AS "practiceName", to_char(p.gp_registered_on, 'YYYY-MM-DD') AS "registeredOn"
         FROM patient p JOIN organization o ON o.ods_code = p.general_practitioner_ods
        WHERE p.patient_id = $1`,
      [patientId],
    );
  }
}
