import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export const MEETING_KINDS = ['daily-mash', 'strategy-discussion'] as const;
export type MeetingKind = (typeof MEETING_KINDS)[number];

/**
 * A daily MASH meeting or a strategy discussion. Attendance is usually virtual, so a meeting has
 * no room: only when it was held and who attended (names sealed: they are personal data).
 */
@Entity({ name: 'mash_meeting' })
@Index(['partnership', 'heldAt'])
export class MeetingEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  kind!: MeetingKind;

  @Column({ name: 'held_at', type: 'timestamptz' })
  heldAt!: Date;

  /** Envelope-encrypted JSON `[{ name, agency, role }]`. */
  @Column({ name: 'attendees_sealed', type: 'text' })
  attendeesSealed!: string;

  /** The attendees' agencies, in clear for search and metrics (no names). */
  @Column({ type: 'text', array: true })
  agencies!: string[];

  @Column({ name: 'recorded_by', type: 'text' })
  recordedBy!: string;

  @Column({ name: 'recorded_role', type: 'text' })
  recordedRole!: string;

  @Column({ name: 'recorded_at', type: 'timestamptz' })
  recordedAt!: Date;
}

/** What a meeting decided about one case. */
@Entity({ name: 'mash_meeting_case' })
@Index(['partnership', 'caseId'])
export class MeetingCaseEntity {
  @PrimaryColumn({ name: 'meeting_id', type: 'uuid' })
  meetingId!: string;

  @PrimaryColumn({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  partnership!: string;

  /** Envelope-encrypted; null once the case's data is deleted. */
  @Column({ name: 'decision_sealed', type: 'text', nullable: true })
  decisionSealed!: string | null;
}

export type ActionDeliveryStatus = 'pending' | 'delivered';

/**
 * An action a meeting gave one agency on one case, and its delivery to that agency's adapter:
 * pending until the agency acknowledges it, sent again with back-off until then (as outcomes).
 */
@Entity({ name: 'mash_meeting_action' })
@Index(['status', 'nextAttemptAt'])
@Index(['partnership', 'caseId'])
export class MeetingActionEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ name: 'meeting_id', type: 'uuid' })
  meetingId!: string;

  @Column({ name: 'case_id', type: 'uuid' })
  caseId!: string;

  @Column({ type: 'text' })
  partnership!: string;

  @Column({ type: 'text' })
  agency!: string;

  /** Envelope-encrypted; null once the case's data is deleted. */
  @Column({ name: 'action_sealed', type: 'text', nullable: true })
  actionSealed!: string | null;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'text' })
  status!: ActionDeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts!: number;

  @Column({ name: 'last_sent_at', type: 'timestamptz', nullable: true })
  lastSentAt!: Date | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz' })
  nextAttemptAt!: Date;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError!: string | null;

  @Column({ name: 'delivered_at', type: 'timestamptz', nullable: true })
  deliveredAt!: Date | null;
}
