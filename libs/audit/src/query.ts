import { sequenceWaiting } from './audit-log';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { stringify } from 'csv-stringify';
import { AuditQueryError } from './errors';
import { queryRows, readerOf, type AuditDatabase, type SqlExecutor } from './executor';
import { ENTRY_COLUMNS, entryColumns, entryFromRow, type EntryRow } from './rows';
import { OUTCOMES, SYSTEM_CHAIN_ID, chainIdFor, type AuditEntry, type Outcome } from './types';

export interface TimeRange {
  /** Inclusive. */
  readonly from?: Date | string;
  /** Exclusive. */
  readonly to?: Date | string;
}

export interface AuditFilter extends TimeRange {
  /** Mandatory: a search never crosses partnerships. */
  readonly partnership: string;
  /**
   * Search the `system` chain (events that belong to no partnership, such as failed sign-ins
   * without a token) instead; `partnership` is then ignored. For the operator's CLI, never the API.
   */
  readonly systemChain?: boolean;
  readonly actorId?: string;
  readonly caseId?: string;
  readonly queryId?: string;
  readonly correlationId?: string;
  /** One pseudonym token (`subjectPseudonym(...).nhs` or `.nameDob`). */
  readonly subjectPseudonym?: string;
  readonly agency?: string;
  /** Exact actions, or prefixes written `query.*`. */
  readonly action?: string | readonly string[];
  readonly outcome?: Outcome | readonly Outcome[];
}

export interface PageRequest {
  /** Default 100, at most 1,000. */
  readonly limit?: number;
  /** `nextCursor` from the previous page. */
  readonly cursor?: string;
  /** Default newest first. */
  readonly order?: 'asc' | 'desc';
}

export interface Page<T> {
  readonly items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  readonly nextCursor: string | null;
}

export interface OutOfHoursOptions extends TimeRange {
  /** Local working day, `HH:MM`; default 08:00–18:00. */
  readonly workdayStart?: string;
  readonly workdayEnd?: string;
  /** IANA zone the hours are in; default Europe/London (so BST is handled). */
  readonly timeZone?: string;
  /** Saturdays and Sundays count as out of hours; default true. */
  readonly weekends?: boolean;
  /** Extra non-working dates (`YYYY-MM-DD`, local), e.g. bank holidays from date-holidays. */
  readonly holidays?: readonly string[];
  readonly actions?: readonly string[];
  readonly limit?: number;
}

export interface UnusualVolumeOptions extends TimeRange {
  /** Flag an actor-day with more events than this. */
  readonly threshold?: number;
  /** Flag an actor-day whose count is this many standard deviations above the mean actor-day; default 3. */
  readonly zScore?: number;
  readonly timeZone?: string;
  readonly actions?: readonly string[];
}

export interface UnusualVolumeRow {
  readonly actorId: string;
  /** Local date, YYYY-MM-DD. */
  readonly day: string;
  readonly count: number;
  readonly mean: number;
  readonly zScore: number | null;
}

export interface DeniedThenRetriedRow {
  readonly actorId: string;
  readonly caseId: string;
  readonly denied: AuditEntry;
  readonly retry: AuditEntry;
}

export type OpenCaseSource =
  /** A table in the same database: the case is open when a row with this id has one of the open statuses. */
  | {
      readonly table: string;
      readonly idColumn?: string;
      readonly statusColumn?: string;
      readonly openStatuses?: readonly string[];
    }
  /** Or ask the caller: given case ids, return those that are open. */
  | ((caseIds: readonly string[]) => Promise<ReadonlySet<string>>);

export interface NoOpenCaseOptions extends TimeRange {
  /** Which actions count as access to personal data; default `query.*` and `record.*`. */
  readonly actions?: readonly string[];
  /**
   * How to tell whether the case was open. Absent: an access is flagged when it names no case or
   * its `details.caseStatus` (the status the broker recorded at the time) is present and not `open`.
   */
  readonly openCases?: OpenCaseSource;
  readonly limit?: number;
}

const DEFAULT_ACCESS_ACTIONS = ['query.*', 'record.*'] as const;

class Sql {
  readonly params: unknown[] = [];
  readonly where: string[] = [];
  p(value: unknown): string {
    this.params.push(value);
    return `$${this.params.length}`;
  }
}

function iso(v: Date | string, what: string): string {
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw new AuditQueryError(`${what} is not a date`);
  return d.toISOString();
}

function addRange(sql: Sql, range: TimeRange, alias = ''): void {
  if (range.from !== undefined)
    sql.where.push(`${alias}occurred_at >= ${sql.p(iso(range.from, 'from'))}`);
  if (range.to !== undefined) sql.where.push(`${alias}occurred_at < ${sql.p(iso(range.to, 'to'))}`);
}

function addActions(sql: Sql, actions: readonly string[], alias = ''): void {
  if (actions.length === 0) return;
  const exact = actions.filter((a) => !a.endsWith('.*'));
  const prefixes = actions
    .filter((a) => a.endsWith('.*'))
    .map((a) => `${a.slice(0, -1).replace(/[\\%_]/g, '\\$&')}%`);
  const ors: string[] = [];
  if (exact.length > 0) ors.push(`${alias}action = ANY(${sql.p(exact)}::text[])`);
  if (prefixes.length > 0) ors.push(`${alias}action LIKE ANY(${sql.p(prefixes)}::text[])`);
  sql.where.push(`(${ors.join(' OR ')})`);
}

/** The one chain a search reads: the system chain's, or the (required) partnership's. */
function chainOf(filter: AuditFilter): string {
  return filter.systemChain === true
    ? SYSTEM_CHAIN_ID
    : chainIdFor(requirePartnership(filter.partnership));
}

function requirePartnership(partnership: unknown): string {
  if (typeof partnership !== 'string' || partnership.trim() === '')
    throw new AuditQueryError('partnership is required');
  return partnership;
}

function asList<T>(v: T | readonly T[] | undefined): readonly T[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? (v as readonly T[]) : [v as T];
}

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;
function quoteIdent(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p)))
    throw new AuditQueryError('invalid table or column name');
  return parts.map((p) => `"${p}"`).join('.');
}

/**
 * A partnership's entries are exactly its chain's (`chainIdFor`), and `seq` rises along a chain
 * (verification fails an entry where it does not, `reordered`), so the chain's position index
 * `(chain_id, chain_seq)` gives a search its order: no second (partnership, seq) index to maintain.
 */
function buildFilter(filter: AuditFilter): Sql {
  const sql = new Sql();
  if (filter.systemChain === true) sql.where.push('partnership IS NULL');
  else sql.where.push(`partnership = ${sql.p(requirePartnership(filter.partnership))}`);
  sql.where.push(`chain_id = ${sql.p(chainOf(filter))}`);
  if (filter.actorId !== undefined) sql.where.push(`actor_id = ${sql.p(filter.actorId)}`);
  if (filter.caseId !== undefined) sql.where.push(`case_id = ${sql.p(filter.caseId)}`);
  if (filter.queryId !== undefined) sql.where.push(`query_id = ${sql.p(filter.queryId)}`);
  if (filter.correlationId !== undefined)
    sql.where.push(`correlation_id = ${sql.p(filter.correlationId)}`);
  if (filter.agency !== undefined) sql.where.push(`agency = ${sql.p(filter.agency)}`);
  if (filter.subjectPseudonym !== undefined)
    sql.where.push(`subject_pseudonyms @> ARRAY[${sql.p(filter.subjectPseudonym)}::text]`);
  addActions(sql, asList(filter.action));
  const outcomes = asList(filter.outcome);
  if (outcomes.some((o) => !(OUTCOMES as readonly string[]).includes(o)))
    throw new AuditQueryError('unknown outcome');
  if (outcomes.length > 0) sql.where.push(`outcome = ANY(${sql.p(outcomes)}::text[])`);
  addRange(sql, filter);
  return sql;
}

/** A position on the searched chain (`c`): pages follow the chain, the order `seq` also has. */
function encodeCursor(chainSeq: number, order: 'asc' | 'desc'): string {
  return Buffer.from(JSON.stringify({ c: chainSeq, o: order })).toString('base64url');
}

function decodeCursor(cursor: string, order: 'asc' | 'desc'): number {
  try {
    const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as {
      c?: unknown;
      o?: unknown;
    };
    if (Number.isSafeInteger(v.c) && v.o === order) return v.c as number;
  } catch {
    // fall through
  }
  throw new AuditQueryError('invalid cursor');
}

export const CSV_COLUMNS = [
  'seq',
  'chain_id',
  'chain_seq',
  'occurred_at',
  'partnership',
  'actor_type',
  'actor_id',
  'actor_role',
  'action',
  'outcome',
  'case_id',
  'query_id',
  'agency',
  'subject_pseudonyms',
  'correlation_id',
  'details',
  'prev_hash',
  'hash',
] as const;

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first) is
 * prefixed with `'` (OWASP "CSV injection"): actor ids come from tokens and free-text filters.
 */
export function defuseCsvCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvRecord(e: AuditEntry): string[] {
  return csvCells(e).map(defuseCsvCell);
}

function csvCells(e: AuditEntry): string[] {
  return [
    String(e.seq),
    e.chainId,
    String(e.chainSeq),
    e.occurredAt,
    e.partnership ?? '',
    e.actorType,
    e.actorId,
    e.actorRole ?? '',
    e.action,
    e.outcome,
    e.caseId ?? '',
    e.queryId ?? '',
    e.agency ?? '',
    e.subjectPseudonyms.join(' '),
    e.correlationId ?? '',
    JSON.stringify(e.details),
    e.prevHash,
    e.hash,
  ];
}

/**
 * Auditor searches and reports over `audit_event`. Every method is scoped to one partnership.
 * Reads only; pass a pool/DataSource (ideally a read replica) or any `{ query }` executor.
 */
export class AuditQuery {
  private readonly reader: SqlExecutor;

  constructor(
    private readonly db: AuditDatabase | SqlExecutor,
    /**
     * `sequenceFirst`: before a search, give positions to the entries waiting on the searched chain
     * (deferred sequencing), so a search sees everything committed before it, not only what the
     * sequencer has reached.
     */
    private readonly options: { readonly sequenceFirst?: boolean } = {},
  ) {
    this.reader = readerOf(db);
  }

  /** One page, keyset-paginated on the chain position (the same order as seq). */
  async search(filter: AuditFilter, page: PageRequest = {}): Promise<Page<AuditEntry>> {
    await this.catchUp(chainOf(filter));
    const order = page.order ?? 'desc';
    const limit = Math.min(Math.max(Math.trunc(page.limit ?? 100), 1), 1000);
    const sql = buildFilter(filter);
    if (page.cursor !== undefined)
      sql.where.push(
        `chain_seq ${order === 'desc' ? '<' : '>'} ${sql.p(decodeCursor(page.cursor, order))}`,
      );
    const rows = await queryRows<EntryRow>(
      this.reader,
      `SELECT ${ENTRY_COLUMNS} FROM audit_event WHERE ${sql.where.join(' AND ')} ORDER BY audit_event.chain_seq ${order} LIMIT ${sql.p(limit + 1)}`,
      sql.params,
    );
    const items = rows.slice(0, limit).map(entryFromRow);
    return {
      items,
      nextCursor:
        rows.length > limit ? encodeCursor(items[items.length - 1].chainSeq, order) : null,
    };
  }

  private async catchUp(chainId: string): Promise<void> {
    if (this.options.sequenceFirst === true) await sequenceWaiting(this.db, chainId);
  }

  /** Every matching entry, oldest first, fetched in keyset pages of `batchSize`. */
  async *stream(filter: AuditFilter, batchSize = 1000): AsyncGenerator<AuditEntry> {
    let cursor: string | undefined;
    do {
      const page = await this.search(filter, { limit: batchSize, cursor, order: 'asc' });
      yield* page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** One JSON object per line, oldest first. */
  exportJsonLines(filter: AuditFilter): Readable {
    requirePartnership(filter.partnership);
    const entries = this.stream(filter);
    return Readable.from(
      (async function* () {
        for await (const e of entries) yield `${JSON.stringify(e)}\n`;
      })(),
    );
  }

  /** CSV with a header row (`CSV_COLUMNS`); pseudonyms space-separated, details as JSON. */
  exportCsv(filter: AuditFilter): Readable {
    requirePartnership(filter.partnership);
    const entries = this.stream(filter);
    const csv = stringify({ header: true, columns: [...CSV_COLUMNS] });
    const records = Readable.from(
      (async function* () {
        for await (const e of entries) yield csvRecord(e);
      })(),
    );
    // pipe() would not pass a database error on: the export must fail, not end early.
    pipeline(records, csv).catch((err: unknown) =>
      csv.destroy(err instanceof Error ? err : new Error(String(err))),
    );
    return csv;
  }

  /** Everything recorded about one subject, by either of its pseudonym tokens. */
  accessesToSubject(
    partnership: string,
    pseudonym: string,
    range: TimeRange = {},
    page: PageRequest = {},
  ): Promise<Page<AuditEntry>> {
    return this.search({ partnership, subjectPseudonym: pseudonym, ...range }, page);
  }

  /** Accesses (by users) with no open case behind them. See `NoOpenCaseOptions.openCases`. */
  async accessesWithoutOpenCase(
    partnership: string,
    options: NoOpenCaseOptions = {},
  ): Promise<AuditEntry[]> {
    await this.catchUp(requirePartnership(partnership));
    const sql = new Sql();
    sql.where.push(
      `e.partnership = ${sql.p(requirePartnership(partnership))}`,
      `e.actor_type = 'user'`,
    );
    addActions(sql, options.actions ?? DEFAULT_ACCESS_ACTIONS, 'e.');
    addRange(sql, options, 'e.');
    const limit = sql.p(options.limit ?? 1000);
    const src = options.openCases;
    if (typeof src === 'function') {
      const rows = await queryRows<EntryRow>(
        this.reader,
        `SELECT ${ENTRY_COLUMNS} FROM audit_event e WHERE ${sql.where.join(' AND ')} ORDER BY e.seq`,
        sql.params.slice(0, -1),
      );
      const entries = rows.map(entryFromRow);
      const ids = [...new Set(entries.map((e) => e.caseId).filter((c): c is string => c !== null))];
      const open = ids.length > 0 ? await src(ids) : new Set<string>();
      return entries
        .filter((e) => e.caseId === null || !open.has(e.caseId))
        .slice(0, options.limit ?? 1000);
    }
    if (src !== undefined) {
      const statuses = sql.p(src.openStatuses ?? ['open']);
      sql.where.push(`(e.case_id IS NULL OR NOT EXISTS (
        SELECT 1 FROM ${quoteIdent(src.table)} c
         WHERE c.${quoteIdent(src.idColumn ?? 'id')}::text = e.case_id
           AND c.${quoteIdent(src.statusColumn ?? 'status')}::text = ANY(${statuses}::text[])))`);
    } else {
      sql.where.push(`(e.case_id IS NULL OR coalesce(e.details->>'caseStatus', 'open') <> 'open')`);
    }
    const rows = await queryRows<EntryRow>(
      this.reader,
      `SELECT ${ENTRY_COLUMNS} FROM audit_event e WHERE ${sql.where.join(' AND ')} ORDER BY e.seq LIMIT ${limit}`,
      sql.params,
    );
    return rows.map(entryFromRow);
  }

  /** Events by users outside working hours (local time in `timeZone`), weekends and `holidays`. */
  async outOfHours(partnership: string, options: OutOfHoursOptions = {}): Promise<AuditEntry[]> {
    await this.catchUp(requirePartnership(partnership));
    const hhmm = /^([01]\d|2[0-3]):[0-5]\d$/;
    const start = options.workdayStart ?? '08:00';
    const end = options.workdayEnd ?? '18:00';
    if (!hhmm.test(start) || !hhmm.test(end))
      throw new AuditQueryError('working hours must be HH:MM');
    const sql = new Sql();
    sql.where.push(
      `partnership = ${sql.p(requirePartnership(partnership))}`,
      `actor_type = 'user'`,
    );
    addActions(sql, options.actions ?? [], '');
    addRange(sql, options);
    const local = `(occurred_at AT TIME ZONE ${sql.p(options.timeZone ?? 'Europe/London')})`;
    const outside = [
      `${local}::time < ${sql.p(start)}::time`,
      `${local}::time >= ${sql.p(end)}::time`,
    ];
    if (options.weekends ?? true) outside.push(`extract(isodow FROM ${local}) >= 6`);
    if (options.holidays !== undefined && options.holidays.length > 0)
      outside.push(`${local}::date = ANY(${sql.p(options.holidays)}::date[])`);
    sql.where.push(`(${outside.join(' OR ')})`);
    const rows = await queryRows<EntryRow>(
      this.reader,
      `SELECT ${ENTRY_COLUMNS} FROM audit_event WHERE ${sql.where.join(' AND ')} ORDER BY audit_event.seq LIMIT ${sql.p(options.limit ?? 1000)}`,
      sql.params,
    );
    return rows.map(entryFromRow);
  }

  /**
   * Users with unusually many events in a (local) day: more than `threshold`, or a z-score above
   * `zScore` against all actor-days of the partnership in the range. Highest count first.
   */
  async unusualVolume(
    partnership: string,
    options: UnusualVolumeOptions = {},
  ): Promise<UnusualVolumeRow[]> {
    await this.catchUp(requirePartnership(partnership));
    const sql = new Sql();
    sql.where.push(
      `partnership = ${sql.p(requirePartnership(partnership))}`,
      `actor_type = 'user'`,
    );
    addActions(sql, options.actions ?? [], '');
    addRange(sql, options);
    const tz = sql.p(options.timeZone ?? 'Europe/London');
    const threshold = sql.p(options.threshold ?? null);
    const z = sql.p(options.zScore ?? 3);
    const rows = await queryRows<{
      actor_id: string;
      day: string;
      n: string;
      mean: string;
      z: string | null;
    }>(
      this.reader,
      `WITH d AS (
         SELECT actor_id, (occurred_at AT TIME ZONE ${tz})::date AS day, count(*) AS n
           FROM audit_event WHERE ${sql.where.join(' AND ')} GROUP BY 1, 2),
       s AS (SELECT d.*, avg(n) OVER () AS mean, stddev_pop(n) OVER () AS sd FROM d)
       SELECT actor_id, day::text AS day, n::text AS n, mean::text AS mean,
              CASE WHEN sd > 0 THEN ((n - mean) / sd)::text END AS z
         FROM s
        WHERE (${threshold}::bigint IS NOT NULL AND n > ${threshold}::bigint)
           OR (sd > 0 AND (n - mean) / sd > ${z}::numeric)
        ORDER BY s.n DESC, s.actor_id, s.day`,
      sql.params,
    );
    return rows.map((r) => ({
      actorId: r.actor_id,
      day: r.day,
      count: Number(r.n),
      mean: Number(r.mean),
      zScore: r.z === null ? null : Number(r.z),
    }));
  }

  /**
   * A `deny` followed, within `withinMinutes` (default 15), by another event from the same actor on
   * the same case that belongs to a different request (different correlation id and query id, when
   * both have one). A deny recorded by a service on a user's behalf (`details.requestedBy`, as the
   * broker's `policy.decision` does) is attributed to that user, and only that user's own later
   * events count as the retry: the other agencies' decisions in the same request never do.
   */
  async deniedThenRetried(
    partnership: string,
    options: TimeRange & { readonly withinMinutes?: number; readonly limit?: number } = {},
  ): Promise<DeniedThenRetriedRow[]> {
    await this.catchUp(requirePartnership(partnership));
    const sql = new Sql();
    sql.where.push(
      `d.partnership = ${sql.p(requirePartnership(partnership))}`,
      `d.outcome = 'deny'`,
      `d.case_id IS NOT NULL`,
    );
    addRange(sql, options, 'd.');
    const minutes = sql.p(options.withinMinutes ?? 15);
    const onBehalf = `(d.actor_type = 'service' AND jsonb_typeof(d.details->'requestedBy') = 'string')`;
    const rows = await queryRows<Record<string, unknown>>(
      this.reader,
      `SELECT ${entryColumns('d', 'd_')}, ${entryColumns('r', 'r_')}, r.actor_id AS effective_actor
         FROM audit_event d
         JOIN LATERAL (
           SELECT * FROM audit_event r
            WHERE r.partnership = d.partnership AND r.case_id = d.case_id
              AND CASE WHEN ${onBehalf}
                       THEN r.actor_type = 'user' AND r.actor_id = d.details->>'requestedBy'
                       ELSE r.actor_type = d.actor_type AND r.actor_id = d.actor_id END
              AND r.seq > d.seq AND r.occurred_at >= d.occurred_at
              AND r.occurred_at <= d.occurred_at + make_interval(mins => ${minutes}::int)
              AND (d.correlation_id IS NULL OR r.correlation_id IS NULL OR r.correlation_id <> d.correlation_id)
              AND (d.query_id IS NULL OR r.query_id IS NULL OR r.query_id <> d.query_id)
            ORDER BY r.seq LIMIT 1) r ON true
        WHERE ${sql.where.join(' AND ')}
        ORDER BY d.seq LIMIT ${sql.p(options.limit ?? 1000)}`,
      sql.params,
    );
    const pick = (row: Record<string, unknown>, alias: string): AuditEntry => {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row))
        if (k.startsWith(`${alias}_`)) out[k.slice(alias.length + 1)] = v;
      return entryFromRow(out as unknown as EntryRow);
    };
    return rows.map((row) => {
      const denied = pick(row, 'd');
      return {
        actorId: String(row.effective_actor),
        caseId: denied.caseId ?? '',
        denied,
        retry: pick(row, 'r'),
      };
    });
  }
}
