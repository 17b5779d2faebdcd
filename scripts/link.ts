/**
 * Record linkage with the project's matcher, for agency IT to measure match rates before go-live.
 *
 *   npm run link -- --left A.csv [--right B.csv] --map MAPPING.json [--map-right MAPPING.json]
 *                   --out links.csv [--truth T.csv] [--model-out model.json]
 *
 * Writes `left_id,right_id,score,band`; with --truth (CSV of true left_id,right_id) prints
 * precision, recall and F1 of the `match` band. Progress goes to stderr; no record values are
 * ever printed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import {
  type DateFormat,
  evaluateLinks,
  IDENTIFIER_KINDS,
  type LinkQuality,
  linkRecords,
  type MatchSubject,
  prepare,
  type PreparedRecord,
  serialiseModel,
} from '@mash/matching';

const column = z.string().min(1);
export const ColumnMappingSchema = z
  .object({
    id: column,
    givenName: column.optional(),
    familyName: column.optional(),
    dateOfBirth: z
      .union([
        column,
        z.object({ column, format: z.enum(['YYYYMMDD', 'YYYY-MM-DD', 'DD/MM/YYYY']).optional() }),
      ])
      .optional(),
    sex: column.optional(),
    postcode: column.optional(),
    address: z.union([column, z.array(column).min(1)]).optional(),
    identifiers: z.partialRecord(z.enum(IDENTIFIER_KINDS), column).optional(),
  })
  .strict();
export type ColumnMapping = z.infer<typeof ColumnMappingSchema>;

export class LinkCliError extends Error {
  constructor(
    readonly code: 'LINK.BAD_ARGUMENTS' | 'LINK.BAD_MAPPING' | 'LINK.MISSING_COLUMN',
    message: string,
  ) {
    super(message);
    this.name = 'LinkCliError';
  }
}

const MAPPING_HELP =
  'a mapping is a JSON object such as { "id": "rec_id", "givenName": "given_name", "familyName": "surname", "dateOfBirth": { "column": "date_of_birth", "format": "YYYYMMDD" }, "postcode": "postcode", "address": ["address_1", "suburb"], "identifiers": { "nhsNumber": "nhs_no" } }; only id is required';

export function loadMapping(path: string): ColumnMapping {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new LinkCliError(
      'LINK.BAD_MAPPING',
      `mapping ${path} is not JSON (${e instanceof Error ? e.message : String(e)}); ${MAPPING_HELP}`,
    );
  }
  const parsed = ColumnMappingSchema.safeParse(json);
  if (!parsed.success)
    // One line per problem, naming the field and what it may be, instead of zod's raw JSON.
    throw new LinkCliError(
      'LINK.BAD_MAPPING',
      `mapping ${path} is invalid:\n${z.prettifyError(parsed.error)}\n${MAPPING_HELP}`,
    );
  return parsed.data;
}

export function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, 'utf8'), {
    columns: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    bom: true,
  }) as Array<Record<string, string>>;
}

/** Maps CSV rows to prepared records; the date format comes from the mapping. */
export function mapRows(
  rows: ReadonlyArray<Record<string, string>>,
  mapping: ColumnMapping,
): PreparedRecord[] {
  const dob =
    typeof mapping.dateOfBirth === 'string' ? { column: mapping.dateOfBirth } : mapping.dateOfBirth;
  const dateFormat: DateFormat | undefined = dob?.format;
  const columns = [
    mapping.id,
    mapping.givenName,
    mapping.familyName,
    dob?.column,
    mapping.sex,
    mapping.postcode,
    ...(typeof mapping.address === 'string' ? [mapping.address] : (mapping.address ?? [])),
    ...Object.values(mapping.identifiers ?? {}),
  ].filter((c): c is string => c !== undefined);
  if (rows.length > 0) {
    for (const c of columns) {
      if (!(c in rows[0]))
        throw new LinkCliError(
          'LINK.MISSING_COLUMN',
          `column "${c}" named in the mapping is not in the file`,
        );
    }
  }
  const get = (row: Record<string, string>, c: string | undefined): string | undefined => {
    const v = c === undefined ? undefined : row[c]?.trim();
    return v ? v : undefined;
  };
  return rows.map((row) => {
    const identifiers: MatchSubject['identifiers'] = {};
    for (const [kind, c] of Object.entries(mapping.identifiers ?? {}) as Array<
      [keyof typeof identifiers, string]
    >) {
      identifiers[kind] = get(row, c);
    }
    const addressColumns =
      typeof mapping.address === 'string' ? [mapping.address] : (mapping.address ?? []);
    const address = addressColumns
      .map((c) => get(row, c))
      .filter(Boolean)
      .join(' ');
    const subject: MatchSubject = {
      id: get(row, mapping.id) ?? '',
      givenName: get(row, mapping.givenName),
      familyName: get(row, mapping.familyName),
      dateOfBirth: get(row, dob?.column),
      sex: get(row, mapping.sex),
      postcode: get(row, mapping.postcode),
      address: address || undefined,
      identifiers,
    };
    return prepare(subject, { dateFormat });
  });
}

/** Reads a truth CSV of `left_id,right_id` (header optional). */
export function readTruth(path: string): Array<[string, string]> {
  const rows = parse(readFileSync(path, 'utf8'), {
    trim: true,
    skip_empty_lines: true,
  }) as string[][];
  const body = rows.length > 0 && rows[0][0] === 'left_id' ? rows.slice(1) : rows;
  return body.map((r) => [r[0], r[1]]);
}

export interface LinkCliOptions {
  left: string;
  right?: string;
  map: string;
  mapRight?: string;
  out: string;
  truth?: string;
  modelOut?: string;
}

export function parseArgs(argv: readonly string[]): LinkCliOptions {
  const flags: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--'))
      throw new LinkCliError('LINK.BAD_ARGUMENTS', `unexpected argument ${a}`);
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('--'))
      throw new LinkCliError('LINK.BAD_ARGUMENTS', `${a} needs a value`);
    flags[a.slice(2)] = value;
    i++;
  }
  const known = ['left', 'right', 'map', 'map-right', 'out', 'truth', 'model-out'];
  for (const k of Object.keys(flags)) {
    if (!known.includes(k)) throw new LinkCliError('LINK.BAD_ARGUMENTS', `unknown option --${k}`);
  }
  for (const k of ['left', 'map', 'out']) {
    if (!flags[k]) throw new LinkCliError('LINK.BAD_ARGUMENTS', `--${k} is required`);
  }
  return {
    left: flags.left,
    right: flags.right,
    map: flags.map,
    mapRight: flags['map-right'],
    out: flags.out,
    truth: flags.truth,
    modelOut: flags['model-out'],
  };
}

export interface LinkRunResult {
  records: { left: number; right?: number };
  candidatePairs: number;
  /** Random pairs compared to estimate u-probabilities (0 when a model was supplied). */
  randomPairs: number;
  links: number;
  matchLinks: number;
  quality?: LinkQuality;
  seconds: number;
}

const log = (msg: string): void => {
  process.stderr.write(`${msg}\n`);
};

export function runLink(
  options: LinkCliOptions,
  progress: (msg: string) => void = log,
): LinkRunResult {
  const started = process.hrtime.bigint();
  const leftMap = loadMapping(options.map);
  const rightMap = options.mapRight ? loadMapping(options.mapRight) : leftMap;
  const left = mapRows(readCsv(options.left), leftMap);
  progress(`read ${left.length} records from the left file`);
  const right = options.right ? mapRows(readCsv(options.right), rightMap) : undefined;
  if (right) progress(`read ${right.length} records from the right file`);

  const out = linkRecords(left, right, {
    onProgress: (p) => {
      switch (p.stage) {
        case 'blocked':
          progress(`blocking gave ${p.pairs} candidate pairs`);
          break;
        case 'compared':
          progress(`compared ${p.pairs} pairs (100%)`);
          break;
        case 'estimated':
          progress(`estimated m and u by EM in ${p.iterations} iterations`);
          break;
        case 'scored':
          progress(
            `scored ${p.done}/${p.pairs} pairs (${Math.round((100 * (p.done ?? 0)) / Math.max(1, p.pairs))}%)`,
          );
          break;
      }
    },
  });
  const other = right ?? left;
  const links = out.links.map((l) => ({
    leftId: left[l.leftIndex].id ?? '',
    rightId: other[l.rightIndex].id ?? '',
    score: l.score,
    band: l.band,
  }));
  writeFileSync(
    options.out,
    stringify(
      links.map((l) => [l.leftId, l.rightId, l.score.toFixed(3), l.band]),
      { header: true, columns: ['left_id', 'right_id', 'score', 'band'] },
    ),
  );
  if (options.modelOut) writeFileSync(options.modelOut, serialiseModel(out.model));
  const matchLinks = links.filter((l) => l.band === 'match').length;
  progress(
    `wrote ${links.length} links (${matchLinks} match, ${links.length - matchLinks} possible) to ${options.out}`,
  );

  const quality = options.truth
    ? evaluateLinks(links, readTruth(options.truth), right === undefined)
    : undefined;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    records: { left: left.length, right: right?.length },
    candidatePairs: out.candidatePairs,
    randomPairs: out.model.training?.randomPairs ?? 0,
    links: links.length,
    matchLinks,
    quality,
    seconds,
  };
}

function main(): void {
  try {
    const result = runLink(parseArgs(process.argv.slice(2)));
    if (result.quality) {
      const q = result.quality;
      const pct = (x: number): string => (100 * x).toFixed(2);
      process.stdout.write(
        `match band: precision ${pct(q.precision)}%, recall ${pct(q.recall)}%, F1 ${q.f1.toFixed(4)} ` +
          `(${q.truePositives} of ${q.matchLinks} match links true; ${q.truePairs} true pairs)\n` +
          `true pairs linked only as possible: ${q.trueInPossible} (of ${q.possibleLinks} possible links)\n`,
      );
    }
    process.stderr.write(`done in ${result.seconds.toFixed(2)} s\n`);
  } catch (e) {
    const code = e instanceof LinkCliError ? e.code : 'LINK.FAILED';
    process.stderr.write(`${code}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) main();
