import { noErrors } from './forms';
import { memberFromForm } from './household';

describe('memberFromForm', () => {
  const row = {
    'members-1-relationship': 'partner-of-parent',
    'members-1-givenName': ' Darren ',
    'members-1-familyName': 'Kellett',
    'members-1-dateOfBirth-day': '12',
    'members-1-dateOfBirth-month': '4',
    'members-1-dateOfBirth-year': '1990',
  };

  it('reads a complete row as the API member', () => {
    const errors = noErrors();
    expect(memberFromForm(row, 'members-1-', errors, 'household member 2')).toEqual({
      relationship: 'partner-of-parent',
      givenName: 'Darren',
      familyName: 'Kellett',
      dateOfBirth: '1990-04-12',
    });
    expect(errors.summary).toEqual([]);
  });

  it('ignores a row left empty, unless the fieldset is required', () => {
    const errors = noErrors();
    expect(memberFromForm({ 'members-0-givenName': '  ' }, 'members-0-', errors, 'x')).toBe(
      undefined,
    );
    expect(errors.summary).toEqual([]);
    expect(memberFromForm({}, 'member-', errors, 'the new member', true)).toBeNull();
    expect(errors.summary.map((e) => e.href)).toEqual([
      '#member-relationship',
      '#member-givenName',
      '#member-familyName',
      '#member-dateOfBirth',
    ]);
  });

  it('names the row in each message, and says an impossible date is not real', () => {
    const errors = noErrors();
    const bad = {
      ...row,
      'members-1-relationship': '',
      'members-1-dateOfBirth-day': '31',
      'members-1-dateOfBirth-month': '2',
    };
    expect(memberFromForm(bad, 'members-1-', errors, 'household member 2')).toBeNull();
    expect(errors.summary).toEqual([
      { text: 'Select who household member 2 is to the child', href: '#members-1-relationship' },
      {
        text: 'The date of birth of household member 2 must be a real date, for example 27 3 2015',
        href: '#members-1-dateOfBirth',
      },
    ]);
  });
});
