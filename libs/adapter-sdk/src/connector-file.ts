import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AGENCIES } from '@mash/contracts';
import { IDENTIFIER_KINDS, type MatchSubject, type SourceCandidate } from '@mash/matching';
import type { SourceRecord } from './connector';
import { SqlSourceConnector } from './connector-base';
import { OutcomeDeliverySchema, type OutcomeSink } from './outcome-sink';
import { SQL_DRIVER_NAMES, type SourceDriver } from './source-driver';
import { type FhirConnectorFile, FhirConnectorFileSchema } from './fhir/fhir-connector';
import type { Queryable } from '@mash/matching';

/*
 * A connector file: agency IT describes its source system (how to find people, and the SQL of each
 * category) instead of writing code. Validated against `libs/adapter-sdk/connector.schema.json`
 * (generated from this schema); docs/onboarding.md walks through one.
 */

const Column = z.string().min(1).max(63).describe('A column of the rows the SQL returns.');
const Sql = z.string().min(1);
const CategoryName = z.string().regex(/^[a-z][a-z0-9-]*$/);

const IDENTITY_FIELDS = [
  'givenName',
  'familyName',
  'dateOfBirth',
  'sex',
  'postcode',
  'address',
] as const;

export const IdentitySchema = z
  .object({
    candidates: Sql.describe(
      'Returns the identity rows of the records whose refs are in :refs (a list), one row per way a record is held (a former surname, an old address): each row is a variant the matcher scores.',
    ),
    changes: Sql.describe(
      'Returns (ref, changedAt) for every record changed at or after :since (a timestamp; null the first time: return every record). The match index follows this feed.',
    ),
    fields: z
      .object({
        ref: Column.describe("The record's own key in the source; never leaves the adapter."),
        givenName: Column,
        familyName: Column,
        dateOfBirth: Column.describe('YYYY-MM-DD text, or a date.'),
        sex: Column.optional(),
        postcode: Column.optional(),
        address: Column.optional(),
        identifiers: z
          .object(Object.fromEntries(IDENTIFIER_KINDS.map((k) => [k, Column.optional()])))
          .strict()
          .optional(),
      })
      .strict()
      .describe('Which column of the candidates SQL holds each identity field the matcher reads.'),
    subjectRef: z
      .string()
      .optional()
      .describe('A regular expression every ref of this source fits; other refs are unknown here.'),
  })
  .strict();

export const CategorySchema = z
  .object({
    description: z.string().optional(),
    sql: Sql.describe("Returns this category's records about the record :ref, newest first."),
    fields: z
      .record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/), Column)
      .optional()
      .describe(
        "Contract field name -> column. Without it every column is released under its own name (the agreement's minimisation still applies).",
      ),
  })
  .strict();

export const ConnectorFileSchema = z
  .object({
    $schema: z.string().optional(),
    agency: z.enum(AGENCIES).describe('The agency this adapter answers for.'),
    source: z
      .object({
        driver: z.enum(SQL_DRIVER_NAMES),
        description: z.string().optional(),
      })
      .strict()
      .describe(
        'The source system. Its URL (read-only credentials) comes from the environment, never this file: <AGENCY>_DATABASE_URL or SOURCE_DATABASE_URL.',
      ),
    identity: IdentitySchema,
    categories: z
      .record(CategoryName, CategorySchema)
      .refine((c) => Object.keys(c).length > 0, 'name at least one category'),
    outcomes: OutcomeDeliverySchema.default({ to: 'store' }),
    index: z
      .object({ pollMs: z.number().int().min(100).max(3_600_000).default(1000) })
      .strict()
      .default({ pollMs: 1000 })
      .describe('How often the match index reads the change feed.'),
  })
  .strict();

export type ConnectorFile = z.infer<typeof ConnectorFileSchema>;

export const CONNECTOR_SCHEMA_ID = 'https://mash.example/schemas/connector.schema.json';

/** A connector file of either kind: a SQL source, or a FHIR R4 server (`source.driver: fhir`). */
export const AnyConnectorFileSchema = z.union([ConnectorFileSchema, FhirConnectorFileSchema]);
export type AnyConnectorFile = ConnectorFile | FhirConnectorFile;

export const isFhirConnectorFile = (def: AnyConnectorFile): def is FhirConnectorFile =>
  def.source.driver === 'fhir';

/** The published JSON Schema of a connector file (committed as `libs/adapter-sdk/connector.schema.json`). */
export function connectorFileJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(AnyConnectorFileSchema, { io: 'input', target: 'draft-2020-12' });
  const { $schema, ...rest } = schema;
  return { $schema, $id: CONNECTOR_SCHEMA_ID, ...rest };
}

export class ConnectorFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`connector file ${file} is not valid: ${problems.join('; ')}`);
    this.name = 'ConnectorFileError';
  }
}

const usesParameter = (sql: string, name: string) =>
  new RegExp(`(^|[^:]):${name}\\b`).test(sql.replace(/'(?:[^']|'')*'/g, "''"));

function parseText(text: string, file: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    throw new ConnectorFileError(file, [
      `not YAML or JSON (${error instanceof Error ? error.message.split('\n')[0] : 'parse error'})`,
    ]);
  }
}

const issues = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);

const namesFhir = (raw: unknown) =>
  (raw as { source?: { driver?: unknown } } | null)?.source?.driver === 'fhir';

/** Parses and validates a connector file of either kind (SQL or FHIR). */
export function parseAnyConnectorFile(text: string, file = 'connector file'): AnyConnectorFile {
  const raw = parseText(text, file);
  if (!namesFhir(raw)) return parseConnectorFile(text, file);
  const parsed = FhirConnectorFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConnectorFileError(file, issues(parsed.error));
  return parsed.data;
}

export function loadAnyConnectorFile(path: string): AnyConnectorFile {
  return parseAnyConnectorFile(readFileSync(path, 'utf8'), path);
}

/** Parses and validates a SQL connector definition (YAML or JSON text). */
export function parseConnectorFile(text: string, file = 'connector file'): ConnectorFile {
  const raw = parseText(text, file);
  if (namesFhir(raw))
    throw new ConnectorFileError(file, [
      'source.driver: fhir is a FHIR connector, which runs no SQL; this tool reads SQL connector files only',
    ]);
  const parsed = ConnectorFileSchema.safeParse(raw);
  if (!parsed.success) throw new ConnectorFileError(file, issues(parsed.error));
  const def = parsed.data;
  const problems: string[] = [];
  if (!usesParameter(def.identity.candidates, 'refs'))
    problems.push('identity.candidates: must use :refs');
  if (!usesParameter(def.identity.changes, 'since'))
    problems.push('identity.changes: must use :since');
  for (const [name, c] of Object.entries(def.categories))
    if (!usesParameter(c.sql, 'ref')) problems.push(`categories.${name}.sql: must use :ref`);
  if (def.identity.subjectRef !== undefined) {
    try {
      new RegExp(def.identity.subjectRef);
    } catch {
      problems.push('identity.subjectRef: not a regular expression');
    }
  }
  if (problems.length > 0) throw new ConnectorFileError(file, problems);
  return def;
}

export function loadConnectorFile(path: string): ConnectorFile {
  return parseConnectorFile(readFileSync(path, 'utf8'), path);
}

/** Text, or null for a missing value; a date becomes `YYYY-MM-DD` (the matcher's form). */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return isoDay(value);
  return String(value);
}

function isoDay(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  // pg turns a `date` into local midnight: the local calendar day is the stored one.
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function plain(value: unknown): string | number | boolean | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return value;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

/** Rows of the candidates SQL, grouped by ref, each row a variant. */
export function candidatesFromRows(
  rows: Record<string, unknown>[],
  fields: ConnectorFile['identity']['fields'],
): SourceCandidate[] {
  const byRef = new Map<string, MatchSubject[]>();
  for (const row of rows) {
    const ref = text(row[fields.ref]);
    if (ref === null) continue;
    const subject: MatchSubject = {};
    for (const f of IDENTITY_FIELDS) {
      const column = fields[f];
      if (column !== undefined) subject[f] = text(row[column]);
    }
    if (fields.identifiers) {
      subject.identifiers = Object.fromEntries(
        Object.entries(fields.identifiers).map(([kind, column]) => [
          kind,
          column === undefined ? null : text(row[column]),
        ]),
      );
    }
    const variants = byRef.get(ref);
    if (variants) variants.push(subject);
    else byRef.set(ref, [subject]);
  }
  return [...byRef].map(([ref, variants]) => ({ ref, variants }));
}

/** Where a configured connector reads and writes: the source (read-only) and the adapter's store. */
export interface ConnectorResources {
  source: SourceDriver;
  store: Queryable;
  outcomes: OutcomeSink;
}

/**
 * A connector made from a connector file alone: identity rows and category records come from the
 * file's SQL through the source driver; matching, the index, outcomes are the SDK's.
 */
export class ConfiguredConnector extends SqlSourceConnector<Queryable> {
  readonly agency: ConnectorFile['agency'];

  constructor(
    readonly definition: ConnectorFile,
    private readonly resources: ConnectorResources,
  ) {
    const { source } = resources;
    const { identity } = definition;
    const load = async (_db: Queryable, refs: string[]) =>
      candidatesFromRows(await source.named(identity.candidates, { refs }), identity.fields);
    super(source, {
      categories: Object.keys(definition.categories),
      loadCandidates: load,
      store: resources.store,
      outcomes: resources.outcomes,
      subjectRef: identity.subjectRef === undefined ? undefined : new RegExp(identity.subjectRef),
      changedSince: async (_db, since) =>
        (await source.named(identity.changes, { since })).map((r) => ({
          ref: String(r.ref),
          changedAt: r.changedAt instanceof Date ? r.changedAt : new Date(String(r.changedAt)),
        })),
    });
    this.agency = definition.agency;
  }

  protected async read(category: string, subjectRef: string): Promise<SourceRecord[]> {
    const spec = this.definition.categories[category];
    const rows = await this.resources.source.named(spec.sql, { ref: subjectRef });
    return rows.map((row) => {
      const record: SourceRecord = {};
      if (spec.fields) {
        for (const [field, column] of Object.entries(spec.fields))
          record[field] = plain(row[column]);
      } else {
        for (const [column, value] of Object.entries(row)) record[column] = plain(value);
      }
      return record;
    });
  }
}
