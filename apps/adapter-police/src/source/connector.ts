import {
  insertMashOutcome,
  type FindResult,
  type MashOutcomeFeedback,
  type SourceConnector,
  type SourceRecord,
} from '@mash/adapter-sdk';
import type { SubjectCriteria } from '@mash/contracts';
import type { DataSource } from 'typeorm';
import { createPoliceSubjectFinder } from './find-subject';

export const POLICE_CATEGORIES = ['occurrences', 'warnings'] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the force's records management system (its own PostgreSQL schema). */
export class PoliceConnector implements SourceConnector {
  readonly agency = 'police' as const;
  readonly categories: readonly string[] = POLICE_CATEGORIES;

  private readonly find: (criteria: SubjectCriteria) => Promise<FindResult>;

  constructor(private readonly db: DataSource) {
    this.find = createPoliceSubjectFinder(db);
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
      if (category === 'occurrences')
        result.occurrences = known ? await this.occurrences(subjectRef) : [];
      else if (category === 'warnings')
        result.warnings = known ? await this.warnings(subjectRef) : [];
    }
    return result;
  }

  recordOutcome(outcome: MashOutcomeFeedback): Promise<void> {
    return insertMashOutcome(this.db, outcome);
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
