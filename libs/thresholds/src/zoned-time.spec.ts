import { fromLocal, toLocal } from './zoned-time';

describe(fromLocal.name, () => {
  const sut = fromLocal;
  const d = (year: number, month: number, day: number) => ({ year, month, day });

  it('reads London wall-clock time in GMT and in BST', () => {
    expect(sut(d(2026, 1, 15), 9, 0, 'Europe/London')).toEqual(new Date('2026-01-15T09:00:00Z'));
    expect(sut(d(2026, 7, 15), 9, 0, 'Europe/London')).toEqual(new Date('2026-07-15T08:00:00Z'));
  });

  it('resolves a time skipped when clocks go forward to the moment of the change', () => {
    expect(sut(d(2026, 3, 29), 1, 30, 'Europe/London')).toEqual(new Date('2026-03-29T01:00:00Z'));
    expect(sut(d(2026, 3, 8), 2, 30, 'America/New_York')).toEqual(new Date('2026-03-08T07:00:00Z'));
  });

  it('resolves a time repeated when clocks go back to its first occurrence', () => {
    expect(sut(d(2026, 10, 25), 1, 30, 'Europe/London')).toEqual(new Date('2026-10-25T00:30:00Z'));
  });

  it('round-trips with toLocal away from clock changes', () => {
    const local = toLocal(sut(d(2026, 5, 22), 16, 30, 'Europe/London'), 'Europe/London');
    expect(local).toEqual({ year: 2026, month: 5, day: 22, hour: 16, minute: 30, second: 0 });
  });
});
