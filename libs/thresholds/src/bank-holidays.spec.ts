import { englandAndWalesBankHolidays, isEnglandAndWalesBankHoliday } from './bank-holidays';

// The days off published at https://www.gov.uk/bank-holidays (England and Wales).
const GOV_UK: Record<number, string[]> = {
  2018: ['01-01', '03-30', '04-02', '05-07', '05-28', '08-27', '12-25', '12-26'],
  2019: ['01-01', '04-19', '04-22', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2020: ['01-01', '04-10', '04-13', '05-08', '05-25', '08-31', '12-25', '12-28'],
  2021: ['01-01', '04-02', '04-05', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2022: ['01-03', '04-15', '04-18', '05-02', '06-02', '06-03', '08-29', '09-19', '12-26', '12-27'],
  2023: ['01-02', '04-07', '04-10', '05-01', '05-08', '05-29', '08-28', '12-25', '12-26'],
  2024: ['01-01', '03-29', '04-01', '05-06', '05-27', '08-26', '12-25', '12-26'],
  2025: ['01-01', '04-18', '04-21', '05-05', '05-26', '08-25', '12-25', '12-26'],
  2026: ['01-01', '04-03', '04-06', '05-04', '05-25', '08-31', '12-25', '12-28'],
  2027: ['01-01', '03-26', '03-29', '05-03', '05-31', '08-30', '12-27', '12-28'],
  2028: ['01-03', '04-14', '04-17', '05-01', '05-29', '08-28', '12-25', '12-26'],
};

describe(englandAndWalesBankHolidays.name, () => {
  const sut = englandAndWalesBankHolidays;

  it.each(Object.entries(GOV_UK))('matches the gov.uk list for %s', (year, days) => {
    expect(sut(Number(year))).toEqual(days.map((d) => `${year}-${d}`));
  });

  it('includes the one-off holidays: Platinum Jubilee, State Funeral, Coronation', () => {
    expect(sut(2022)).toEqual(expect.arrayContaining(['2022-06-03', '2022-09-19']));
    expect(sut(2023)).toContain('2023-05-08');
  });
});

describe(isEnglandAndWalesBankHoliday.name, () => {
  const sut = isEnglandAndWalesBankHoliday;

  it('knows the Spring bank holiday of 2026 and that the days around it are not holidays', () => {
    expect(sut({ year: 2026, month: 5, day: 25 })).toBe(true);
    expect(sut({ year: 2026, month: 5, day: 22 })).toBe(false);
    expect(sut({ year: 2026, month: 5, day: 26 })).toBe(false);
  });

  it('knows substitute days', () => {
    expect(sut({ year: 2026, month: 12, day: 28 })).toBe(true); // Boxing Day falls on Saturday
    expect(sut({ year: 2022, month: 1, day: 3 })).toBe(true); // New Year's Day fell on Saturday
  });

  it('does not take Scottish holidays', () => {
    expect(sut({ year: 2026, month: 1, day: 2 })).toBe(false);
    expect(sut({ year: 2026, month: 11, day: 30 })).toBe(false);
  });
});
