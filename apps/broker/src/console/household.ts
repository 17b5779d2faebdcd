import { MemberSchema, type MemberDto } from '../cases/case.dto';
import { addError, dateInput, noErrors, text, zodFormErrors, type FormErrors } from './forms';

/**
 * The new-referral form starts with no household rows; "Add a household member" posts the form
 * back with one more row and everything typed kept (no script needed). The API takes up to 20.
 */
export const MAX_REFERRAL_MEMBERS = 20;

/** How many household rows the posted referral form has (its hidden `memberRows`). */
export function referralMemberRows(value: unknown): number {
  const n = Number(text(value));
  return Number.isInteger(n) && n >= 0 ? Math.min(n, MAX_REFERRAL_MEMBERS) : 0;
}

/** The ids and names of one household member's fieldset: `<prefix>givenName`, … */
export function memberFieldIds(prefix: string) {
  return {
    relationship: `${prefix}relationship`,
    givenName: `${prefix}givenName`,
    familyName: `${prefix}familyName`,
    dateOfBirth: `${prefix}dateOfBirth`,
  };
}

/**
 * One household member's fieldset as the API's member: `undefined` when every box is empty (an
 * unused row), otherwise the member, or null with the problems added to `errors` in plain English.
 * `who` names the row in the error summary ("member 2"), so the summary says which one to fix.
 * A `required` fieldset (the case page's "Add a household member") is never an unused row.
 */
export function memberFromForm(
  form: Record<string, unknown>,
  prefix: string,
  errors: FormErrors,
  who: string,
  required = false,
): MemberDto | null | undefined {
  const ids = memberFieldIds(prefix);
  const day = form[`${ids.dateOfBirth}-day`];
  const month = form[`${ids.dateOfBirth}-month`];
  const year = form[`${ids.dateOfBirth}-year`];
  const filled =
    required ||
    [form[ids.relationship], form[ids.givenName], form[ids.familyName], day, month, year]
      .map(text)
      .some(Boolean);
  if (!filled) return undefined;
  const dob = dateInput(day, month, year);
  const parsed = MemberSchema.safeParse({
    relationship: text(form[ids.relationship]),
    givenName: text(form[ids.givenName]),
    familyName: text(form[ids.familyName]),
    dateOfBirth: 'date' in dob ? dob.date : undefined,
  });
  // Collected apart, then added in the fieldset's order (zod reports `relationship` last).
  const found = noErrors();
  if (!parsed.success)
    for (const e of zodFormErrors(parsed.error, {
      relationship: { id: ids.relationship, message: `Select who ${who} is to the child` },
      givenName: { id: ids.givenName, message: `Enter the given name of ${who}` },
      familyName: { id: ids.familyName, message: `Enter the family name of ${who}` },
      dateOfBirth: { id: ids.dateOfBirth, message: `Enter the date of birth of ${who}` },
    }).summary)
      addError(found, e.href.slice(1), e.text);
  // A half-filled or impossible date says so, rather than "enter".
  if ('problem' in dob && dob.problem === 'invalid')
    found.fields[ids.dateOfBirth] = {
      text: `The date of birth of ${who} must be a real date, for example 27 3 2015`,
    };
  const before = errors.summary.length;
  for (const id of Object.values(ids))
    if (found.fields[id]) addError(errors, id, found.fields[id].text);
  return errors.summary.length > before || !parsed.success ? null : parsed.data;
}
