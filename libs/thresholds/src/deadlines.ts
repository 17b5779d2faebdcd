import { isEnglandAndWalesBankHoliday } from './bank-holidays';
import { InvalidDateError, NoWorkingTimeError } from './errors';
import type { DeadlineRule, Rag, ThresholdMatrix, WorkingHours } from './schema';
import {
  addDays,
  formatLocalDate,
  fromLocal,
  isoWeekday,
  type LocalDate,
  parseHhMm,
  toLocal,
} from './zoned-time';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** A run of days with no working time this long means the configuration can never be met. */
const MAX_DAYS_WITHOUT_WORK = 366;

export type DeadlineMatrix = Pick<ThresholdMatrix, 'deadlines' | 'workingHours'>;

/**
 * When a referral of this RAG must be decided. `elapsed` clocks add wall-clock hours (a red
 * referral runs through nights, weekends and holidays); `working` clocks count only working
 * hours, starting at the next opening when received outside them.
 */
export function dueAt(matrix: DeadlineMatrix, rag: Rag, receivedAt: Date): Date {
  assertDate(receivedAt, 'receivedAt');
  const rule: DeadlineRule = matrix.deadlines[rag];
  const duration = rule.hours * HOUR_MS;
  switch (rule.clock) {
    case 'elapsed':
      return new Date(receivedAt.getTime() + duration);
    case 'working':
      return addWorkingTime(receivedAt, duration, matrix.workingHours);
  }
}

/** Whether a local date is a working day: a configured weekday, not a bank holiday or closed day. */
export function isWorkingDay(date: LocalDate, workingHours: WorkingHours): boolean {
  return (
    workingHours.days.includes(isoWeekday(date)) &&
    !isEnglandAndWalesBankHoliday(date) &&
    !workingHours.closedDays.includes(formatLocalDate(date))
  );
}

/** Whether the hub is open at an instant (the opening minute counts, the closing minute does not). */
export function isWorkingTime(instant: Date, workingHours: WorkingHours): boolean {
  assertDate(instant, 'instant');
  const day = localDateOf(instant, workingHours.timeZone);
  if (!isWorkingDay(day, workingHours)) return false;
  const { open, close } = window(day, workingHours);
  const t = instant.getTime();
  return t >= open && t < close;
}

/** The instant `durationMs` of working time after `from`. Ends exactly at a closing time if need be. */
export function addWorkingTime(from: Date, durationMs: number, workingHours: WorkingHours): Date {
  assertDate(from, 'from');
  if (!(durationMs >= 0)) throw new RangeError('durationMs must be zero or more');
  let remaining = durationMs;
  let cursor = from.getTime();
  let day = localDateOf(from, workingHours.timeZone);
  let daysWithoutWork = 0;
  for (;;) {
    if (isWorkingDay(day, workingHours)) {
      const { open, close } = window(day, workingHours);
      const begin = Math.max(cursor, open);
      if (begin <= close) {
        const available = close - begin;
        if (remaining <= available) return new Date(begin + remaining);
        remaining -= available;
        daysWithoutWork = available > 0 ? 0 : daysWithoutWork + 1;
      } else {
        daysWithoutWork += 1;
      }
    } else {
      daysWithoutWork += 1;
    }
    if (daysWithoutWork > MAX_DAYS_WITHOUT_WORK) throw new NoWorkingTimeError();
    day = addDays(day, 1);
    cursor = Number.NEGATIVE_INFINITY;
  }
}

/** Working time in milliseconds between two instants (zero when `to` is not after `from`). */
export function workingTimeBetween(from: Date, to: Date, workingHours: WorkingHours): number {
  assertDate(from, 'from');
  assertDate(to, 'to');
  const start = from.getTime();
  const end = to.getTime();
  let total = 0;
  const last = localDateOf(to, workingHours.timeZone);
  for (
    let day = localDateOf(from, workingHours.timeZone);
    formatLocalDate(day) <= formatLocalDate(last);
    day = addDays(day, 1)
  ) {
    if (!isWorkingDay(day, workingHours)) continue;
    const { open, close } = window(day, workingHours);
    total += Math.max(0, Math.min(close, end) - Math.max(open, start));
  }
  return total;
}

/** Milliseconds until the deadline; negative once it has passed. */
export function timeLeft(due: Date, now: Date): number {
  assertDate(due, 'dueAt');
  assertDate(now, 'now');
  return due.getTime() - now.getTime();
}

/** Overdue once the due instant has passed (a decision made exactly at the due time is in time). */
export function isOverdue(due: Date, now: Date): boolean {
  return timeLeft(due, now) < 0;
}

/** Not yet overdue, but within the matrix's `nearDeadlineMinutes` of the deadline. */
export function isNearDeadline(
  matrix: Pick<ThresholdMatrix, 'nearDeadlineMinutes'>,
  due: Date,
  now: Date,
): boolean {
  const left = timeLeft(due, now);
  return left >= 0 && left <= matrix.nearDeadlineMinutes * MINUTE_MS;
}

/** Plain English for a signed `timeLeft`: "2 d 3 h 5 min left", "overdue by 40 min". */
export function describeTimeLeft(ms: number): string {
  const minutes = Math.floor(Math.abs(ms) / MINUTE_MS);
  const d = Math.floor(minutes / (24 * 60));
  const h = Math.floor((minutes % (24 * 60)) / 60);
  const m = minutes % 60;
  const parts = [d > 0 ? `${d} d` : '', h > 0 ? `${h} h` : '', `${m} min`].filter(Boolean);
  if (d > 0 && m === 0) parts.pop();
  const text = parts.join(' ');
  return ms < 0 ? `overdue by ${text}` : `${text} left`;
}

/** Plain English for a deadline rule: "4 hours, round the clock" or "24 working hours". */
export function describeDeadline(rule: DeadlineRule): string {
  const n = `${rule.hours} ${rule.hours === 1 ? 'hour' : 'hours'}`;
  switch (rule.clock) {
    case 'elapsed':
      return `${n}, round the clock`;
    case 'working':
      return `${rule.hours} working ${rule.hours === 1 ? 'hour' : 'hours'}`;
  }
}

// Opening and closing instants per zone and local date; Intl lookups dominate the cost otherwise.
const windows = new Map<string, { open: number; close: number }>();
const MAX_CACHED_WINDOWS = 10_000;

function window(day: LocalDate, workingHours: WorkingHours): { open: number; close: number } {
  const key = `${workingHours.timeZone}|${formatLocalDate(day)}|${workingHours.start}|${workingHours.end}`;
  let w = windows.get(key);
  if (!w) {
    const s = parseHhMm(workingHours.start);
    const e = parseHhMm(workingHours.end);
    w = {
      open: fromLocal(day, s.hour, s.minute, workingHours.timeZone).getTime(),
      close: fromLocal(day, e.hour, e.minute, workingHours.timeZone).getTime(),
    };
    if (windows.size >= MAX_CACHED_WINDOWS) windows.clear();
    windows.set(key, w);
  }
  return w;
}

function localDateOf(instant: Date, timeZone: string): LocalDate {
  const { year, month, day } = toLocal(instant, timeZone);
  return { year, month, day };
}

function assertDate(d: Date, what: string): void {
  if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw new InvalidDateError(what);
}
