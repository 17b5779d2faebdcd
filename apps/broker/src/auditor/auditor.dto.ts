import { z } from 'zod';
import { OUTCOMES } from '@mash/audit';

const text = z.string().trim().min(1).max(200);
const pseudonym = z.string().regex(/^[0-9a-f]{64}$/, 'expected a 64-character pseudonym token');
/** Midnight in Europe/London at the start of `day` (YYYY-MM-DD): what a UK auditor means by a date. */
export function londonMidnight(day: string): Date {
  const utc = new Date(`${day}T00:00:00Z`);
  // The zone's offset at that instant (+00:00 or +01:00); clocks never change at midnight there.
  const offset = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/London',
    timeZoneName: 'longOffset',
  })
    .formatToParts(utc)
    .find((p) => p.type === 'timeZoneName')?.value;
  const m = /GMT([+-])(\d{2}):(\d{2})/.exec(offset ?? '');
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
  return new Date(utc.getTime() - minutes * 60_000);
}

/** An ISO 8601 time with a zone, or a date alone meaning the start of that day in Europe/London. */
const time = z.union([
  z.iso.datetime({ offset: true }).transform((s) => new Date(s)),
  z.iso.date().transform(londonMidnight),
]);
/** A query parameter given once or repeated, each possibly comma-separated. */
const splitList = z.union([z.string(), z.array(z.string())]).transform((v) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== ''),
);

const action = z
  .string()
  .regex(
    /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*(\.\*)?$/,
    'expected an action such as query.dispatched or query.*',
  );

export const AuditEventsQuerySchema = z
  .object({
    actor: text.optional(),
    /** Case ids are UUIDs; free text here would be stored on the auditor's own search event. */
    case: z.uuid().optional(),
    query: text.optional(),
    correlation: text.optional(),
    /** A pseudonym token from POST /api/v1/audit/pseudonym. */
    subject: pseudonym.optional(),
    agency: text.optional(),
    action: splitList.pipe(z.array(action).max(20)).optional(),
    outcome: splitList.pipe(z.array(z.enum(OUTCOMES)).max(20)).optional(),
    from: time.optional(),
    to: time.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    cursor: z.string().max(200).optional(),
    order: z.enum(['asc', 'desc']).default('desc'),
    /** `json` (a page), or a whole export streamed as `jsonl` or `csv`, oldest first. */
    format: z.enum(['json', 'jsonl', 'csv']).default('json'),
  })
  .strict();
export type AuditEventsQuery = z.infer<typeof AuditEventsQuerySchema>;

/** A chain position (positive integer) or an ISO 8601 time. */
const positionOrTime = z.union([
  z
    .string()
    .regex(/^[1-9]\d{0,14}$/)
    .transform(Number),
  time,
]);

export const AuditVerifyQuerySchema = z
  .object({
    from: positionOrTime.optional(),
    to: positionOrTime.optional(),
  })
  .strict();
export type AuditVerifyQuery = z.infer<typeof AuditVerifyQuerySchema>;

const position = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** An inclusion proof for the entry at chain `position`, in the tree of `treeSize` entries. */
export const InclusionProofQuerySchema = z
  .object({
    position,
    /** Default: the latest signed head (checkpoint), so the proof checks against a signature. */
    treeSize: position.optional(),
  })
  .strict();
export type InclusionProofQuery = z.infer<typeof InclusionProofQuerySchema>;

/** A consistency proof between the trees of `from` and `to` entries (`to` default: the latest signed head). */
export const ConsistencyProofQuerySchema = z
  .object({ from: position, to: position.optional() })
  .strict();
export type ConsistencyProofQuery = z.infer<typeof ConsistencyProofQuerySchema>;

export const REPORTS = [
  'subject-accesses',
  'no-open-case',
  'out-of-hours',
  'unusual-volume',
  'denied-then-retried',
] as const;
export type ReportName = (typeof REPORTS)[number];
export const ReportNameSchema = z.enum(REPORTS);

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);

export const AuditReportQuerySchema = z
  .object({
    from: time.optional(),
    to: time.optional(),
    /** subject-accesses: the pseudonym token. */
    subject: pseudonym.optional(),
    /** out-of-hours: local working day in Europe/London; England and Wales bank holidays count as out of hours. */
    workdayStart: hhmm.optional(),
    workdayEnd: hhmm.optional(),
    /** unusual-volume: flag a user-day above this count, or this many standard deviations above the mean. */
    threshold: z.coerce.number().int().min(1).optional(),
    zScore: z.coerce.number().positive().max(20).optional(),
    /** denied-then-retried: the window after a deny. */
    withinMinutes: z.coerce
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(1000),
    cursor: z.string().max(200).optional(),
  })
  .strict();
export type AuditReportQuery = z.infer<typeof AuditReportQuerySchema>;

const nhsNumber = z
  .string()
  .trim()
  .regex(/^\d{3}[ -]?\d{3}[ -]?\d{4}$/, 'expected a 10-digit NHS number');

/** What an auditor knows about a child: an NHS number, or name and date of birth, or both. */
export const PseudonymRequestSchema = z
  .object({
    nhsNumber: nhsNumber.optional(),
    givenName: text.optional(),
    familyName: text.optional(),
    dateOfBirth: z.iso.date().optional(),
  })
  .strict()
  .refine(
    (v) => {
      const parts = [v.givenName, v.familyName, v.dateOfBirth].filter(
        (x) => x !== undefined,
      ).length;
      return (v.nhsNumber !== undefined || parts === 3) && (parts === 0 || parts === 3);
    },
    { message: 'give an NHS number, or givenName, familyName and dateOfBirth together, or both' },
  );
export type PseudonymRequest = z.infer<typeof PseudonymRequestSchema>;
