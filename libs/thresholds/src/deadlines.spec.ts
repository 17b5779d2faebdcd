import {
  addWorkingTime,
  describeDeadline,
  describeTimeLeft,
  dueAt,
  isNearDeadline,
  isOverdue,
  isWorkingTime,
  timeLeft,
  workingTimeBetween,
} from './deadlines';
import { InvalidDateError, NoWorkingTimeError } from './errors';
import { validateThresholdMatrix } from './parse';
import { matrixDocument } from './testing/matrix.fixture';

const matrix = validateThresholdMatrix('test', matrixDocument());
const H = 3_600_000;
const at = (iso: string) => new Date(iso);

describe(dueAt.name, () => {
  const sut = dueAt;

  describe('must-show examples', () => {
    // 16:30 BST on Friday 22 May 2026; Monday 25 May 2026 is the Spring bank holiday.
    const friday1630 = at('2026-05-22T16:30:00+01:00');

    it('red received 16:30 Friday is due 20:30 the same Friday (4 elapsed hours)', () => {
      expect(sut(matrix, 'red', friday1630)).toEqual(at('2026-05-22T20:30:00+01:00'));
    });

    it('amber received 16:30 Friday before the Spring bank holiday is due 16:30 BST Thursday 28 May', () => {
      // 0.5 h Friday, skip Sat, Sun, bank-holiday Monday; Tue 8 h, Wed 8 h, Thu 7.5 h.
      expect(sut(matrix, 'amber', friday1630)).toEqual(at('2026-05-28T16:30:00+01:00'));
    });
  });

  it('green on an elapsed clock is 72 wall-clock hours whatever the day', () => {
    expect(sut(matrix, 'green', at('2026-05-22T16:30:00+01:00'))).toEqual(
      at('2026-05-25T16:30:00+01:00'),
    );
  });

  it('skips Christmas Day and the substitute Boxing Day', () => {
    // 2026: Christmas Friday 25, Boxing Day Saturday 26 → substitute Monday 28. Thu 24: 7 h.
    // Tue 29: 8 h, Wed 30: 8 h, Thu 31: 1 h → 10:00 GMT.
    expect(sut(matrix, 'amber', at('2026-12-24T10:00:00Z'))).toEqual(at('2026-12-31T10:00:00Z'));
  });

  it('counts working hours in local time across the spring clock change', () => {
    // Fri 27 March 2026 12:00 GMT: 5 h; clocks go forward Sun 29; Mon 8 h, Tue 8 h, Wed 3 h → 12:00 BST.
    expect(sut(matrix, 'amber', at('2026-03-27T12:00:00Z'))).toEqual(
      at('2026-04-01T12:00:00+01:00'),
    );
  });

  it('counts working hours in local time across the autumn clock change', () => {
    // Fri 23 Oct 2026 16:00 BST: 1 h; clocks go back Sun 25; Mon 8 h, Tue 8 h, Wed 7 h → 16:00 GMT.
    expect(sut(matrix, 'amber', at('2026-10-23T16:00:00+01:00'))).toEqual(
      at('2026-10-28T16:00:00Z'),
    );
  });

  it('adds exactly N hours on an elapsed clock across a clock change (local time shifts by one)', () => {
    const green = validateThresholdMatrix('t', matrixDocument());
    expect(sut(green, 'green', at('2026-10-23T16:00:00+01:00'))).toEqual(
      at('2026-10-26T15:00:00Z'),
    );
  });

  it('starts counting at the next opening when received outside working hours', () => {
    // Saturday night → Monday 09:00 + 24 h of work → Wednesday 17:00 (end of the third day).
    expect(sut(matrix, 'amber', at('2026-06-06T23:00:00+01:00'))).toEqual(
      at('2026-06-10T17:00:00+01:00'),
    );
    // Before opening on a weekday counts from 09:00 that day.
    expect(sut(matrix, 'amber', at('2026-06-08T07:15:00+01:00'))).toEqual(
      at('2026-06-10T17:00:00+01:00'),
    );
    // Exactly at closing counts from the next morning.
    expect(sut(matrix, 'amber', at('2026-06-08T17:00:00+01:00'))).toEqual(
      at('2026-06-11T17:00:00+01:00'),
    );
  });

  it('honours a partnership-specific closed day and working pattern', () => {
    const custom = validateThresholdMatrix(
      't',
      matrixDocument({
        deadlines: {
          red: { hours: 4, clock: 'elapsed' },
          amber: { hours: 2, clock: 'working' },
          green: { hours: 10, clock: 'working' },
        },
        workingHours: {
          start: '08:30',
          end: '18:00',
          days: [1, 2, 3, 4, 5, 6],
          closedDays: ['2026-06-06'],
        },
      }),
    );
    // Friday 17:00 + 2 working hours: 1 h Friday, Saturday 6 June closed, Monday 08:30 + 1 h.
    expect(sut(custom, 'amber', at('2026-06-05T17:00:00+01:00'))).toEqual(
      at('2026-06-08T09:30:00+01:00'),
    );
    // Without the closed day, Saturday counts.
    expect(sut(custom, 'amber', at('2026-06-12T17:00:00+01:00'))).toEqual(
      at('2026-06-13T09:30:00+01:00'),
    );
  });

  it('works in another time zone', () => {
    const ny = validateThresholdMatrix(
      't',
      matrixDocument({ workingHours: { timeZone: 'America/New_York' } }),
    );
    // Working hours are local to the zone: 16:00 EDT Friday 5 June 2026 (21:00 in London) still
    // has 1 h left; Monday 8 h, Tuesday 8 h, Wednesday 7 h → 16:00 EDT Wednesday 10 June.
    expect(sut(ny, 'amber', at('2026-06-05T16:00:00-04:00'))).toEqual(
      at('2026-06-10T16:00:00-04:00'),
    );
  });

  it('refuses an invalid receipt time', () => {
    expect(() => sut(matrix, 'red', new Date('not a date'))).toThrow(InvalidDateError);
  });
});

describe(addWorkingTime.name, () => {
  const sut = addWorkingTime;

  it('returns the next opening for zero duration outside hours, and the same instant inside', () => {
    expect(sut(at('2026-05-23T12:00:00+01:00'), 0, matrix.workingHours)).toEqual(
      at('2026-05-26T09:00:00+01:00'),
    );
    expect(sut(at('2026-05-26T12:00:00+01:00'), 0, matrix.workingHours)).toEqual(
      at('2026-05-26T12:00:00+01:00'),
    );
  });

  it('gives up with a clear error when no day is ever a working day', () => {
    const closedEveryDay = { ...matrix.workingHours, days: [6], closedDays: [] };
    // Saturdays exist, so this terminates; a window of no length on every day does not.
    expect(sut(at('2026-05-22T12:00:00Z'), H, closedEveryDay)).toEqual(
      at('2026-05-23T10:00:00+01:00'),
    );
    const noTime = { ...matrix.workingHours, start: '09:00', end: '09:00' };
    expect(() => sut(at('2026-05-22T12:00:00Z'), H, noTime)).toThrow(NoWorkingTimeError);
  });
});

describe(workingTimeBetween.name, () => {
  const sut = workingTimeBetween;

  it('counts only working hours, skipping the weekend and the bank holiday', () => {
    expect(
      sut(at('2026-05-22T16:30:00+01:00'), at('2026-05-28T16:30:00+01:00'), matrix.workingHours),
    ).toBe(24 * H);
  });

  it('is zero when the end is not after the start', () => {
    expect(sut(at('2026-05-28T12:00:00Z'), at('2026-05-27T12:00:00Z'), matrix.workingHours)).toBe(
      0,
    );
  });
});

describe(isWorkingTime.name, () => {
  const sut = isWorkingTime;

  it('is open from 09:00 up to, not including, 17:00 local time on working days', () => {
    expect(sut(at('2026-05-26T09:00:00+01:00'), matrix.workingHours)).toBe(true);
    expect(sut(at('2026-05-26T16:59:59+01:00'), matrix.workingHours)).toBe(true);
    expect(sut(at('2026-05-26T17:00:00+01:00'), matrix.workingHours)).toBe(false);
    expect(sut(at('2026-05-26T08:30:00Z'), matrix.workingHours)).toBe(true); // 09:30 BST
    expect(sut(at('2026-05-25T12:00:00+01:00'), matrix.workingHours)).toBe(false); // bank holiday
  });
});

describe(timeLeft.name, () => {
  const due = at('2026-05-22T20:30:00+01:00');

  it('is the signed time to the deadline', () => {
    expect(timeLeft(due, at('2026-05-22T19:00:00+01:00'))).toBe(1.5 * H);
    expect(timeLeft(due, at('2026-05-22T21:00:00+01:00'))).toBe(-0.5 * H);
  });

  it('is overdue only after the due instant', () => {
    expect(isOverdue(due, due)).toBe(false);
    expect(isOverdue(due, new Date(due.getTime() + 1))).toBe(true);
  });

  it('is near the deadline within nearDeadlineMinutes and not once overdue', () => {
    expect(isNearDeadline(matrix, due, at('2026-05-22T19:29:00+01:00'))).toBe(false);
    expect(isNearDeadline(matrix, due, at('2026-05-22T19:30:00+01:00'))).toBe(true);
    expect(isNearDeadline(matrix, due, due)).toBe(true);
    expect(isNearDeadline(matrix, due, at('2026-05-22T20:31:00+01:00'))).toBe(false);
  });

  it('describes the time left in plain English', () => {
    expect(describeTimeLeft(2 * H + 5 * 60_000)).toBe('2 h 5 min left');
    expect(describeTimeLeft(-40 * 60_000)).toBe('overdue by 40 min');
    expect(describeTimeLeft(27 * H)).toBe('1 d 3 h left');
    expect(describeDeadline(matrix.deadlines.red)).toBe('4 hours, round the clock');
    expect(describeDeadline(matrix.deadlines.amber)).toBe('24 working hours');
  });
});
