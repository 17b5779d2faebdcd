import { SqlSourceConnector, type SourceRecord } from '@mash/adapter-sdk';
import type { DataSource } from 'typeorm';
import { loadPoliceCandidates } from './identity';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const POLICE_CATEGORIES = ['occurrences', 'warnings'] as const;

/** Reads the force's records management system (its own PostgreSQL schema). */
export class PoliceConnector extends SqlSourceConnector<DataSource> {
  readonly agency = 'police' as const;

  constructor(db: DataSource) {
    super(db, {
      categories: POLICE_CATEGORIES,
      loadCandidates: loadPoliceCandidates,
      // The source's own keys are UUIDs: anything else names nobody here.
      subjectRef: UUID,
    });
  }

  protected read(category: string, subjectRef: string): Promise<SourceRecord[]> {
    switch (category) {
      case 'occurrences':
        return this.occurrences(subjectRef);
      case 'warnings':
        return this.warnings(subjectRef);
      default:
        return Promise.resolve([]);
    }
  }

  private occurrences(personId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT o.occurrence_ref AS "occurrenceRef",
              to_char(o.occurred_on, 'YYYY-MM-DD') AS "occurredOn",
              o.occurrence_type AS "type",
              op.role AS "role",
              o.domestic_abuse_marker AS "domesticAbuse",
              l.postcode AS "location",
              o.summary AS "summary"
         FROM occurrence_person op
         JOIN occurrence o ON o.occurrence_id = op.occurrence_id
         LEFT JOIN location l ON l.location_id = o.location_id
        WHERE op.person_id = $1
        ORDER BY o.occurred_on DESC, o.occurrence_ref, op.role`,
      [personId],
    );
  }

  private warnings(personId: string): Promise<SourceRecord[]> {
    return this.db.query(
      `SELECT marker_description AS "type", to_char(added_on, 'YYYY-MM-DD') AS "addedOn"
         FROM warning_marker WHERE person_id = $1
        ORDER BY added_on DESC, marker_description`,
      [personId],
    );
  }
}
