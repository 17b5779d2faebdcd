import type { Obligations } from './decision';
import type { MaskKind } from './vocabulary';

export type FieldValue = string | number | boolean | null;
export type MinimisedRecord = Record<string, FieldValue>;
export type RecordsByCategory = Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>;

/** What a masked value becomes when it cannot be masked safely (wrong type or shape). */
export const REDACTED = '[redacted]';

const ISO_DATE = /^(\d{4})-(\d{2})(?:-\d{2})?(?:[T ].*)?$/;
// A full UK postcode: outward code (2-4 characters) then inward code (digit and two letters).
const POSTCODE = /^([A-Z]{1,2}\d[A-Z\d]?)\s*\d[A-Z]{2}$/;
const OUTWARD_ONLY = /^[A-Z]{1,2}\d[A-Z\d]?$/;

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return undefined;
}

/** Applies one mask; anything it cannot recognise is redacted rather than passed through. */
export function applyMask(kind: MaskKind, value: unknown): FieldValue {
  if (value === null || value === undefined) return null;
  const text = asText(value);
  switch (kind) {
    case 'redact':
      return REDACTED;
    case 'year-only': {
      const m = text === undefined ? null : ISO_DATE.exec(text.trim());
      return m ? m[1] : REDACTED;
    }
    case 'month-year': {
      const m = text === undefined ? null : ISO_DATE.exec(text.trim());
      return m ? `${m[1]}-${m[2]}` : REDACTED;
    }
    case 'partial-postcode': {
      if (text === undefined) return REDACTED;
      const normalised = text.trim().toUpperCase().replace(/\s+/g, ' ');
      const full = POSTCODE.exec(normalised);
      if (full) return full[1];
      return OUTWARD_ONLY.test(normalised) ? normalised : REDACTED;
    }
    case 'initial': {
      if (text === undefined) return REDACTED;
      const initials = text
        .trim()
        .split(/[\s-]+/)
        .filter((w) => w.length > 0)
        .map((w) => `${[...w][0].toUpperCase()}.`);
      return initials.length > 0 ? initials.join(' ') : REDACTED;
    }
  }
}

function includeValue(value: unknown): FieldValue | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  // Dates become ISO text; nested objects, arrays and anything else could smuggle data and never leave.
  return value instanceof Date ? asText(value) : undefined;
}

const own = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Keeps only the categories and fields the obligations permit, masking where required. Runs on the
 * adapter before data leaves the agency and again on the broker. Categories missing from `records`
 * are omitted; fields missing from a record are omitted; non-scalar values never pass.
 */
export function minimise(
  records: RecordsByCategory,
  obligations: Obligations,
): Record<string, MinimisedRecord[]> {
  const out: Record<string, MinimisedRecord[]> = {};
  for (const category of obligations.categories) {
    if (category.name === '__proto__' || !own(records, category.name)) continue;
    const rows = records[category.name];
    if (!Array.isArray(rows)) continue;
    out[category.name] = rows.map((row) => {
      const kept: MinimisedRecord = {};
      if (row === null || typeof row !== 'object') return kept;
      for (const field of category.fields) {
        if (field.name === '__proto__' || !own(row, field.name)) continue;
        const value = row[field.name];
        if (field.action === 'mask') {
          // A mask obligation without a kind is treated as the strictest mask.
          kept[field.name] = applyMask(field.mask ?? 'redact', value);
        } else {
          const included = includeValue(value);
          if (included !== undefined) kept[field.name] = included;
        }
      }
      return kept;
    });
  }
  return out;
}
