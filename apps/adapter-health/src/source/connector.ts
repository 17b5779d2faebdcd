import { SqlSourceConnector, type SourceRecord } from '@mash/adapter-sdk';
import type { DataSource } from 'typeorm';
import { loadHealthCandidates } from './identity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const HEALTH_CATEGORIES = ['attendances', 'flags', 'gp'] as const;

/** Reads the trust's FHIR-shaped patient store (its own PostgreSQL schema). */
export class HealthConnector extends SqlSourceConnector<DataSource> {
  readonly agency = 'health' as const;

  constructor(db: DataSource) {
    super(db, {
      categories: HEALTH_CATEGORIES,
      loadCandidates: loadHealthCandidates,
      // The source's own keys are UUIDs: anything else names nobody here.
      subjectRef: UUID,
    });
  }

  protected read(category: string, subjectRef: string): Promise<SourceRecord[]> {
    switch (category) {
      case 'attendances':
        return this.attendances(subjectRef);
      case 'flags':
        return this.flags(subjectRef);
      case 'gp':
        return this.gp(subjectRef);
      default:
        return Promise.resolve([]);
    }
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
