import fc from 'fast-check';
import Holidays from 'date-holidays';
import { addWorkingTime, dueAt, workingTimeBetween } from './deadlines';
import { validateThresholdMatrix } from './parse';
import { RAGS, type ThresholdMatrix, type WorkingHours } from './schema';
import { matrixDocument } from './testing/matrix.fixture';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const FROM = Date.UTC(2018, 0, 1);
const TO = Date.UTC(2030, 5, 30);

/*
 * An independent reference: walks minute by minute, reading the local wall clock with its own
 * Intl formatter and the holidays straight from date-holidays. Slow, obviously right.
 */
const holidays = new Holidays('GB', 'ENG');
const holidayDates = new Map<number, Set<string>>();
function isHoliday(ymd: string): boolean {
  const year = Number(ymd.slice(0, 4));
  let set = holidayDates.get(year);
  if (!set) {
    set = new Set(
      holidays
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    holidayDates.set(year, set);
  }
  return set.has(ymd);
}
const clocks = new Map<string, Intl.DateTimeFormat>();
function wallClock(t: number, timeZone: string): { ymd: string; weekday: number; hhmm: string } {
  let f = clocks.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    clocks.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(new Date(t)).map((x) => [x.type, x.value]));
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.weekday) + 1;
  return { ymd: `${p.year}-${p.month}-${p.day}`, weekday, hhmm: `${p.hour}:${p.minute}` };
}
function isWorkingDayRef(c: { ymd: string; weekday: number }, wh: WorkingHours): boolean {
  return wh.days.includes(c.weekday) && !isHoliday(c.ymd) && !wh.closedDays.includes(c.ymd);
}
/** Whether the minute starting at t is working time. */
function isWorkingMinuteRef(t: number, wh: WorkingHours): boolean {
  const c = wallClock(t, wh.timeZone);
  return isWorkingDayRef(c, wh) && c.hhmm >= wh.start && c.hhmm < wh.end;
}
function workingMinutesRef(from: number, to: number, wh: WorkingHours): number {
  let n = 0;
  for (let t = from; t < to; t += MINUTE) if (isWorkingMinuteRef(t, wh)) n += 1;
  return n;
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

const londonDefault = validateThresholdMatrix('default', matrixDocument()).workingHours;

// Windows of at least 4 h on at least three days a week, away from the small hours when clocks
// change (a window edge inside a repeated hour is ambiguous and not a realistic setting).
const workingHoursArb: fc.Arbitrary<WorkingHours> = fc.oneof(
  fc.constant(londonDefault),
  fc
    .record({
      startQuarter: fc.integer({ min: 16, max: 60 }), // 04:00 .. 15:00
      lengthQuarters: fc.integer({ min: 16, max: 32 }), // 4 h .. 8 h
      days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 3, maxLength: 7 }),
      timeZone: fc.constantFrom('Europe/London', 'America/New_York', 'Australia/Sydney', 'UTC'),
      closedDays: fc.array(
        fc
          .integer({ min: 0, max: Math.floor((TO - FROM) / (24 * HOUR)) })
          .map((d) => new Date(FROM + d * 24 * HOUR).toISOString().slice(0, 10)),
        { maxLength: 20 },
      ),
    })
    .map(({ startQuarter, lengthQuarters, days, timeZone, closedDays }) => ({
      start: hhmm(startQuarter * 15),
      end: hhmm((startQuarter + lengthQuarters) * 15),
      days: days.sort(),
      timeZone,
      closedDays,
    })),
);

const minuteInstant = fc
  .integer({ min: FROM / MINUTE, max: TO / MINUTE })
  .map((m) => new Date(m * MINUTE));
const anyInstant = fc.integer({ min: FROM, max: TO }).map((t) => new Date(t));
const quarterHours = (max: number) => fc.integer({ min: 1, max: max * 4 }).map((q) => q / 4);

function matrixWith(
  wh: WorkingHours,
  hours: { red: number; amber: number; green: number },
  greenWorking: boolean,
): ThresholdMatrix {
  return validateThresholdMatrix(
    'prop',
    matrixDocument({
      deadlines: {
        red: { hours: hours.red, clock: 'elapsed' },
        amber: { hours: hours.amber, clock: 'working' },
        green: { hours: hours.green, clock: greenWorking ? 'working' : 'elapsed' },
      },
      workingHours: wh,
    }),
  );
}
const matrixArb = fc
  .record({
    wh: workingHoursArb,
    red: quarterHours(12),
    amber: quarterHours(40),
    green: quarterHours(72),
    greenWorking: fc.boolean(),
  })
  .map(({ wh, red, amber, green, greenWorking }) =>
    matrixWith(wh, { red, amber, green }, greenWorking),
  );

describe(`${dueAt.name} (properties)`, () => {
  const sut = dueAt;

  it('is never before receipt', () => {
    fc.assert(
      fc.property(matrixArb, anyInstant, fc.constantFrom(...RAGS), (matrix, received, rag) => {
        expect(sut(matrix, rag, received).getTime()).toBeGreaterThanOrEqual(received.getTime());
      }),
    );
  });

  it('is exactly N wall-clock hours after receipt on an elapsed clock, whatever the day', () => {
    fc.assert(
      fc.property(matrixArb, anyInstant, (matrix, received) => {
        expect(sut(matrix, 'red', received).getTime() - received.getTime()).toBe(
          matrix.deadlines.red.hours * HOUR,
        );
      }),
    );
  });

  it('leaves exactly the configured working hours between receipt and due (minute-stepping reference)', () => {
    fc.assert(
      fc.property(workingHoursArb, minuteInstant, quarterHours(32), (wh, received, hours) => {
        const due = sut(
          matrixWith(wh, { red: 4, amber: hours, green: 72 }, false),
          'amber',
          received,
        );
        expect(workingMinutesRef(received.getTime(), due.getTime(), wh)).toBe(hours * 60);
        // And no earlier instant would do: the last minute before the deadline is working time.
        expect(isWorkingMinuteRef(due.getTime() - MINUTE, wh)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('never falls on a weekend, bank holiday or closed day, nor outside hours except exactly at closing', () => {
    fc.assert(
      fc.property(workingHoursArb, anyInstant, quarterHours(72), (wh, received, hours) => {
        const due = sut(
          matrixWith(wh, { red: 4, amber: hours, green: 72 }, false),
          'amber',
          received,
        );
        const c = wallClock(due.getTime(), wh.timeZone);
        expect(isWorkingDayRef(c, wh)).toBe(true);
        // Local time in (start, end]: exactly at closing is allowed, exactly at opening cannot be.
        const exactMinute = due.getTime() % MINUTE === 0;
        expect(c.hhmm >= wh.start).toBe(true);
        expect(c.hhmm < wh.end || (c.hhmm === wh.end && exactMinute)).toBe(true);
      }),
    );
  });

  it('is monotonic: a later receipt never gives an earlier deadline', () => {
    fc.assert(
      fc.property(
        matrixArb,
        anyInstant,
        fc.integer({ min: 0, max: 10 * 24 * HOUR }),
        fc.constantFrom(...RAGS),
        (matrix, received, delay, rag) => {
          const later = new Date(received.getTime() + delay);
          expect(sut(matrix, rag, later).getTime()).toBeGreaterThanOrEqual(
            sut(matrix, rag, received).getTime(),
          );
        },
      ),
    );
  });

  it('agrees with workingTimeBetween and addWorkingTime on working clocks', () => {
    fc.assert(
      fc.property(
        workingHoursArb,
        anyInstant,
        fc.integer({ min: 1, max: 60 * HOUR }),
        (wh, received, ms) => {
          const due = addWorkingTime(received, ms, wh);
          expect(workingTimeBetween(received, due, wh)).toBe(ms);
        },
      ),
    );
  });
});

describe(`${workingTimeBetween.name} (properties)`, () => {
  it('equals the minute-stepping reference between minute-aligned instants', () => {
    fc.assert(
      fc.property(
        workingHoursArb,
        minuteInstant,
        fc.integer({ min: 0, max: 6 * 24 * 60 }),
        (wh, from, minutes) => {
          const to = new Date(from.getTime() + minutes * MINUTE);
          expect(workingTimeBetween(from, to, wh)).toBe(
            workingMinutesRef(from.getTime(), to.getTime(), wh) * MINUTE,
          );
        },
      ),
      { numRuns: 100 },
    );
  });
});
