/** Normalisation of the values the matcher compares. Pure functions; nothing here logs values. */

/**
 * Lowercase, strip accents (NFKD then drop combining marks), drop apostrophes, turn hyphens,
 * dots and other punctuation into spaces, collapse whitespace. `O'Brien-Smith` -> `obrien smith`.
 */
export function normaliseName(value: string | null | undefined): string {
  if (!value) return '';
  return value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/æ/g, 'ae')
    .replace(/ø/g, 'o')
    .replace(/['’`‘ʼ]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Tokens of a normalised name (a double-barrelled surname gives two). */
export function nameTokens(normalised: string): string[] {
  return normalised.length === 0 ? [] : normalised.split(' ');
}

/** Free-text address to comparable tokens: normalised, common abbreviations expanded. */
export function addressTokens(value: string | null | undefined): string[] {
  const norm = normaliseName(value);
  if (norm.length === 0) return [];
  return norm.split(' ').map((t) => ADDRESS_ABBREVIATIONS[t] ?? t);
}

const ADDRESS_ABBREVIATIONS: Record<string, string> = {
  st: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  ln: 'lane',
  dr: 'drive',
  cl: 'close',
  ct: 'court',
  cres: 'crescent',
  pl: 'place',
  sq: 'square',
  gdns: 'gardens',
  tce: 'terrace',
  ter: 'terrace',
  flt: 'flat',
  apt: 'flat',
};

export interface ParsedPostcode {
  /** Upper case, single space before the inward code when UK-shaped; else the cleaned value. */
  normalised: string;
  /** `SW1A`; undefined when not a UK postcode. */
  outward?: string;
  /** `SW1A 1`; undefined when not a UK postcode. */
  sector?: string;
  /** Letters of the outward code, `SW`. */
  area?: string;
}

const UK_POSTCODE = /^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$/;

/**
 * Normalise a postcode. UK postcodes (any spacing or case) yield outward code and sector;
 * anything else is kept as its upper-case alphanumerics so foreign codes still compare exactly.
 */
export function parsePostcode(value: string | null | undefined): ParsedPostcode | undefined {
  if (!value) return undefined;
  const compact = value.toUpperCase().replace(/[^A-Z0-9]/g, '');
  if (compact.length === 0) return undefined;
  const m = UK_POSTCODE.exec(compact);
  if (!m) return { normalised: compact };
  const [, outward, inward] = m;
  return {
    normalised: `${outward} ${inward}`,
    outward,
    sector: `${outward} ${inward[0]}`,
    area: outward.replace(/[0-9].*$/, ''),
  };
}

export type DateFormat = 'YYYY-MM-DD' | 'YYYYMMDD' | 'DD/MM/YYYY';

export interface ParsedDate {
  year: number;
  month: number;
  day: number;
  /** `YYYYMMDD`, eight digits; used for edit-distance comparison and blocking. */
  compact: string;
}

/**
 * Parse a date of birth. With no format, accepts `YYYY-MM-DD`, `YYYYMMDD` and `DD/MM/YYYY`
 * (UK order). Month and day need only be in 1..12 and 1..31: a keyed date like 31 June is still
 * worth comparing, since records are compared, not validated.
 */
export function parseDate(
  value: string | null | undefined,
  format?: DateFormat,
): ParsedDate | undefined {
  if (!value) return undefined;
  const v = value.trim();
  let m: RegExpExecArray | null = null;
  let y = 0;
  let mo = 0;
  let d = 0;
  if (
    (!format || format === 'YYYY-MM-DD') &&
    (m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:T.*)?$/.exec(v))
  ) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if ((!format || format === 'YYYYMMDD') && (m = /^(\d{4})(\d{2})(\d{2})$/.exec(v))) {
    [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else if (
    (!format || format === 'DD/MM/YYYY') &&
    (m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(v))
  ) {
    [d, mo, y] = [Number(m[1]), Number(m[2]), Number(m[3])];
  } else {
    return undefined;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1000) return undefined;
  return { year: y, month: mo, day: d, compact: `${y}${pad2(mo)}${pad2(d)}` };
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** The same date with day and month exchanged, when that is also a possible date. */
export function swapDayMonth(date: ParsedDate): ParsedDate | undefined {
  if (date.day > 12 || date.day === date.month) return undefined;
  return {
    year: date.year,
    month: date.day,
    day: date.month,
    compact: `${date.year}${pad2(date.day)}${pad2(date.month)}`,
  };
}

/** ISO `YYYY-MM-DD` of a parsed date. */
export function formatIsoDate(date: ParsedDate): string {
  return `${date.year}-${pad2(date.month)}-${pad2(date.day)}`;
}

/** Identifier normalisation: upper case alphanumerics only (`943 476 5919` -> `9434765919`). */
export function normaliseIdentifier(value: string | null | undefined): string {
  if (!value) return '';
  return value.toUpperCase().replace(/[^A-Z0-9]/g, '');
}

export type Sex = 'female' | 'male';

/** `F`, `female`, `girl` -> female; `M`, `male`, `boy` -> male; anything else unknown. */
export function normaliseSex(value: string | null | undefined): Sex | undefined {
  const v = (value ?? '').trim().toLowerCase();
  if (v === 'f' || v === 'female' || v === 'girl' || v === '2') return 'female';
  if (v === 'm' || v === 'male' || v === 'boy' || v === '1') return 'male';
  return undefined;
}
