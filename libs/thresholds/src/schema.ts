import { AGENCIES } from '@mash/contracts';
import { z } from 'zod';

/** The continuum of need: 1 universal, 2 early help, 3 child in need (s17), 4 child protection (s47). */
export const LEVELS = [1, 2, 3, 4] as const;
export type Level = (typeof LEVELS)[number];
export const LEVEL_NAMES: Readonly<Record<Level, string>> = {
  1: 'universal',
  2: 'early help',
  3: 'child in need',
  4: 'child protection',
};

/** Ordered from most to least urgent. */
export const RAGS = ['red', 'amber', 'green'] as const;
export type Rag = (typeof RAGS)[number];

export const CLOCKS = ['elapsed', 'working'] as const;
export type Clock = (typeof CLOCKS)[number];

/** Concern codes every partnership's matrix must define (the external contract relies on them). */
export const REQUIRED_CONCERN_CODES = [
  'neglect',
  'physical-abuse',
  'emotional-abuse',
  'sexual-abuse',
  'domestic-abuse',
  'criminal-exploitation',
  'sexual-exploitation',
  'parental-mental-health',
  'parental-substance-misuse',
  'missing-from-education',
  'missing-from-home',
] as const;
export type RequiredConcernCode = (typeof REQUIRED_CONCERN_CODES)[number];

const CODE_PATTERN = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const isoDate = z
  .string()
  .regex(ISO_DATE, 'expected YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(s);
  }, 'not a calendar date');

export const ConcernSchema = z
  .object({
    label: z.string().trim().min(1).max(200),
    level: z.literal(LEVELS),
    rag: z.enum(RAGS),
  })
  .strict()
  .meta({
    id: 'ThresholdConcern',
    description: 'How a concern of this kind is graded on the continuum of need.',
  });
export type Concern = z.infer<typeof ConcernSchema>;

export const ConcernsSchema = z
  .object(
    Object.fromEntries(REQUIRED_CONCERN_CODES.map((code) => [code, ConcernSchema])) as Record<
      RequiredConcernCode,
      typeof ConcernSchema
    >,
  )
  .catchall(ConcernSchema)
  .superRefine(
    (concerns, ctx) => {
      if (typeof concerns !== 'object' || concerns === null) return;
      for (const code of Object.keys(concerns)) {
        if (!CODE_PATTERN.test(code)) {
          ctx.addIssue({
            code: 'custom',
            path: [code],
            message: 'concern code must be lowercase words joined by hyphens',
          });
        }
      }
    },
    // Report bad codes together with every other problem, not only once the rest is valid.
    { when: () => true },
  )
  .meta({ description: 'Concern codes a referral may carry, keyed by code (kebab-case).' });
export const CONCERN_CODE_PATTERN = CODE_PATTERN;

const hours = z
  .number()
  .positive()
  .max(24 * 60, 'at most 60 days');

export const DeadlinesSchema = z
  .object({
    // Red runs round the clock: a child at immediate risk does not wait for Monday.
    red: z.object({ hours, clock: z.literal('elapsed') }).strict(),
    amber: z.object({ hours, clock: z.enum(CLOCKS) }).strict(),
    green: z.object({ hours, clock: z.enum(CLOCKS) }).strict(),
  })
  .strict();
export type Deadlines = z.infer<typeof DeadlinesSchema>;
export type DeadlineRule = Deadlines[Rag];

export const DEFAULT_WORKING_HOURS = {
  start: '09:00',
  end: '17:00',
  days: [1, 2, 3, 4, 5],
  timeZone: 'Europe/London',
  closedDays: [],
} as const;

export const WorkingHoursSchema = z
  .object({
    start: z.string().regex(HHMM, 'expected HH:MM (24-hour)').default(DEFAULT_WORKING_HOURS.start),
    end: z.string().regex(HHMM, 'expected HH:MM (24-hour)').default(DEFAULT_WORKING_HOURS.end),
    days: z
      .array(z.int().min(1).max(7))
      .min(1)
      .refine((d) => new Set(d).size === d.length, 'days must not repeat')
      .default([...DEFAULT_WORKING_HOURS.days])
      .meta({ description: 'ISO weekdays the hub works: 1 Monday … 7 Sunday.' }),
    timeZone: z
      .string()
      .refine(isTimeZone, 'not an IANA time zone')
      .default(DEFAULT_WORKING_HOURS.timeZone),
    closedDays: z.array(isoDate).default([]).meta({
      description:
        'Extra local dates the hub is closed, on top of England and Wales bank holidays (e.g. a new one-off bank holiday announced before the holiday data is updated).',
    }),
  })
  .strict()
  .refine((w) => w.start < w.end, { message: 'start must be before end', path: ['end'] });
export type WorkingHours = z.infer<typeof WorkingHoursSchema>;

export const CapacitySchema = z
  .partialRecord(
    z.enum(AGENCIES),
    z.object({ queriesPerHour: z.int().positive().max(1_000_000) }).strict(),
  )
  .meta({ description: 'Most queries per rolling hour the broker sends to each agency.' });
export type Capacity = z.infer<typeof CapacitySchema>;

export const ThresholdMatrixSchema = z
  .object({
    partnership: z
      .string()
      .regex(CODE_PATTERN, 'partnership id must be lowercase words joined by hyphens'),
    version: z.int().positive(),
    effectiveFrom: isoDate.meta({
      description: 'Local date (in workingHours.timeZone) from which this version applies.',
    }),
    concerns: ConcernsSchema,
    deadlines: DeadlinesSchema,
    workingHours: WorkingHoursSchema.default({
      ...DEFAULT_WORKING_HOURS,
      days: [...DEFAULT_WORKING_HOURS.days],
      closedDays: [],
    }),
    nearDeadlineMinutes: z
      .int()
      .positive()
      .max(7 * 24 * 60),
    capacity: CapacitySchema,
    retentionDaysAfterClose: z.int().positive().max(36_500),
  })
  .strict()
  .meta({
    title: 'MASH threshold matrix',
    description:
      'A partnership’s threshold matrix: how concerns map to the continuum of need and RAG, the deadline of each RAG, working hours, per-agency query capacity and retention.',
  });

export type ThresholdMatrix = z.infer<typeof ThresholdMatrixSchema>;
/** What a matrix file may omit (defaults filled in by the parser). */
export type ThresholdMatrixInput = z.input<typeof ThresholdMatrixSchema>;

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
