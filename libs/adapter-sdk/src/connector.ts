import type { Agency, SubjectCriteria } from '@mash/contracts';
import type { ChangeFeed } from './match-index';

/** A case outcome the MASH feeds back to an agency that contributed or referred. */
export interface MashOutcomeFeedback {
  outcomeId: string;
  caseRef: string;
  subjectRef?: string;
  outcome: string;
  decidedAt: string;
}

/** An action a daily MASH meeting or strategy discussion gave the agency on a case. */
export interface MashActionFeedback {
  actionId: string;
  meetingId: string;
  caseRef: string;
  meetingKind: 'daily-mash' | 'strategy-discussion';
  action: string;
  dueAt: string;
  decidedAt: string;
}

export type FindStatus = 'match' | 'possible-match' | 'no-match';

/** Evidence that names which fields agreed; never the values themselves. */
export interface MatchEvidence {
  field: string;
  outcome: 'agree' | 'partial' | 'disagree' | 'missing';
  weight?: number;
}

export interface FindResult {
  status: FindStatus;
  /** The source system's own key for the subject; present only for `match`. Never leaves the adapter. */
  subjectRef?: string;
  /** 0..1 */
  confidence: number;
  /** How the subject was found, e.g. `nhs-number`, `name-dob`, `probabilistic`. */
  method: string;
  evidence?: MatchEvidence[];
}

/** One record released from a category; flat JSON so minimisation can name its fields. */
export type SourceRecord = Record<string, string | number | boolean | null>;

/**
 * What an agency's IT team implements: the two questions the SDK asks of the source system.
 * Everything else (Kafka, validation, grants, minimisation, replies, dead-lettering) is the SDK's.
 */
export interface SourceConnector {
  readonly agency: Agency;
  /** Data categories this source can release, e.g. `occurrences`, `attendances`. */
  readonly categories: readonly string[];
  findSubject(criteria: SubjectCriteria): Promise<FindResult>;
  fetchRecords(
    subjectRef: string,
    categories: readonly string[],
  ): Promise<Record<string, SourceRecord[]>>;
  /**
   * Optional: how fresh the source data is (the last change, or the matching index's last
   * refresh); sent in heartbeats and answers as "data as of". Null when unknown.
   */
  dataAsOf?(): Promise<Date | null>;
  /**
   * Optional: hand a case outcome fed back by the MASH to the agency (through the interface it
   * chose, never by writing into the source); idempotent by outcomeId.
   */
  recordOutcome?(outcome: MashOutcomeFeedback): Promise<void>;
  /** Optional: put an action from a MASH meeting on the agency's own task list; idempotent by actionId. */
  recordAction?(action: MashActionFeedback): Promise<void>;
  /** Optional: the source's change feed; with it the SDK keeps the match index up by itself. */
  readonly changeFeed?: ChangeFeed;
}
