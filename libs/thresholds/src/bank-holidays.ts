import Holidays from 'date-holidays';
import { formatLocalDate, isoWeekday, type LocalDate } from './zoned-time';

/*
 * England and Wales bank holidays come from `date-holidays` (country GB, region ENG), which knows
 * the substitute days and the one-off holidays (2020 VE Day move, 2022 Platinum Jubilee and State
 * Funeral, 2023 Coronation). bank-holidays.spec.ts checks it against the gov.uk list for 2018-2028.
 * A one-off announced later than the installed data can be added per partnership through the
 * matrix's `workingHours.closedDays` until the package is updated.
 */
let calendar: Holidays | undefined;
const byYear = new Map<number, ReadonlySet<string>>();

/**
 * Days off in England and Wales for a year, as local `YYYY-MM-DD` in date order, as gov.uk lists
 * them: weekdays only (a holiday falling at a weekend appears as its substitute day).
 */
export function englandAndWalesBankHolidays(year: number): string[] {
  return [...holidaySet(year)]
    .filter((d) => {
      const [y, m, day] = d.split('-').map(Number);
      return isoWeekday({ year: y, month: m, day }) <= 5;
    })
    .sort();
}

/**
 * True on a bank holiday or its substitute day. Also true on the weekend date of a holiday that
 * was substituted (e.g. Christmas Day on a Saturday), which matters only to hubs working weekends.
 */
export function isEnglandAndWalesBankHoliday(date: LocalDate): boolean {
  return holidaySet(date.year).has(formatLocalDate(date));
}

function holidaySet(year: number): ReadonlySet<string> {
  let set = byYear.get(year);
  if (!set) {
    calendar ??= new Holidays('GB', 'ENG');
    set = new Set(
      calendar
        .getHolidays(year)
        .filter((h) => h.type === 'public' || h.type === 'bank')
        // `date` is the local calendar date; `start`/`end` are instants and would shift with BST.
        .map((h) => h.date.slice(0, 10)),
    );
    byYear.set(year, set);
  }
  return set;
}
