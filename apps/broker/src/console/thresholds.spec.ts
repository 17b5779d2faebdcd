import { deadlineText } from './thresholds.controller';

describe('deadlineText', () => {
  it('says which clock a deadline runs on, in words', () => {
    expect(deadlineText({ hours: 4, clock: 'elapsed' })).toBe('4 hours, round the clock');
    expect(deadlineText({ hours: 24, clock: 'working' })).toBe('24 working hours');
    expect(deadlineText({ hours: 1, clock: 'working' })).toBe('1 working hour');
    expect(deadlineText(null)).toBe('');
  });
});
