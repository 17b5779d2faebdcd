import type { z } from 'zod';

/** What a GOV.UK form shows on bad input: the error summary's list and each field's message. */
export interface FormErrors {
  summary: Array<{ text: string; href: string }>;
  fields: Record<string, { text: string }>;
}

export function noErrors(): FormErrors {
  return { summary: [], fields: {} };
}

export function addError(errors: FormErrors, field: string, text: string): FormErrors {
  if (!errors.fields[field]) {
    errors.fields[field] = { text };
    errors.summary.push({ text, href: `#${field}` });
  }
  return errors;
}

export function hasErrors(errors: FormErrors): boolean {
  return errors.summary.length > 0;
}

/**
 * Maps a zod failure onto the form's fields: `fields` names, for a dotted issue path, the id of the
 * input to link to and the plain-English message the person reads (GOV.UK: say what to do).
 */
export function zodFormErrors(error: z.ZodError, fields: FormFields): FormErrors {
  const errors = noErrors();
  for (const issue of error.issues) {
    const path = issue.path.join('.');
    const field =
      fields[path] ??
      Object.entries(fields).find(([key]) => path.startsWith(`${key}.`))?.[1] ??
      fields[''];
    if (field) addError(errors, field.id, field.message);
    else addError(errors, 'form', issue.message);
  }
  return errors;
}

/** What came of a posted form: the data for the service, or the errors to show on the form. */
export type ParsedForm<T> = { success: true; data: T } | { success: false; errors: FormErrors };

/** `data` from a form read field by field, unless that found errors (or nothing came of it). */
export function formResult<T>(errors: FormErrors, data: T | null | undefined): ParsedForm<T> {
  return hasErrors(errors) || data === undefined || data === null
    ? { success: false, errors }
    : { success: true, data };
}

/** A form's field ids and messages for `zodFormErrors`, by dotted issue path. */
export type FormFields = Record<string, { id: string; message: string }>;

/**
 * A form's values checked against the API's own schema: the data to hand to the service, or the
 * errors to show on the form (mapped onto its fields as in `zodFormErrors`).
 */
export function parseForm<T>(
  schema: z.ZodType<T>,
  candidate: unknown,
  fields: FormFields,
): ParsedForm<T> {
  const parsed = schema.safeParse(candidate);
  return parsed.success
    ? { success: true, data: parsed.data }
    : { success: false, errors: zodFormErrors(parsed.error, fields) };
}

/** Adds `more`'s errors to `errors`, after the ones it already has (a field keeps its first). */
export function mergeErrors(errors: FormErrors, more: FormErrors): FormErrors {
  for (const e of more.summary) addError(errors, e.href.slice(1), e.text);
  return errors;
}

/** A form field given once or several times (checkboxes), as a list. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null || value === '') return [];
  return (Array.isArray(value) ? value : [value]).filter(
    (v): v is string => typeof v === 'string' && v !== '',
  );
}

/** A trimmed text field, undefined when empty. */
export function text(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

/**
 * A GOV.UK date input (day, month, year boxes) as `YYYY-MM-DD`, or the reason it is not a real
 * date. Empty boxes give `missing`.
 */
export function dateInput(
  day: unknown,
  month: unknown,
  year: unknown,
): { date: string } | { problem: 'missing' | 'invalid' } {
  const [d, m, y] = [text(day), text(month), text(year)];
  if (!d && !m && !y) return { problem: 'missing' };
  if (!d || !m || !y || !/^\d{1,2}$/.test(d) || !/^\d{1,2}$/.test(m) || !/^\d{4}$/.test(y))
    return { problem: 'invalid' };
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date)
    return { problem: 'invalid' };
  return { date };
}
