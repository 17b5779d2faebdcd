import { Pool, type PoolConfig } from 'pg';
import { preparedStatementsPool } from '@mash/common';
import { FhirSourceDriver } from './fhir/fhir-driver';

/**
 * The driver layer between an adapter and an agency's source system. A connector file names its
 * driver (`postgres` today); SQL in the file uses named parameters (`:ref`, `:refs`, `:since`),
 * which each driver binds in its own dialect, so a file moves between databases with its SQL
 * alone. Every driver connects read-only: the adapter never writes into a source system.
 *
 * Adding SQL Server or Oracle means one class implementing `SourceDriver` (with `mssql`/`tedious`
 * or `oracledb`) and one entry in `SOURCE_DRIVERS`; see docs/sources.md.
 */
export interface SourceDriver {
  /** `postgres`, `mssql`, `oracle`. */
  readonly dialect: string;
  /**
   * Runs a statement with named parameters and returns its rows. A list value (`:refs`) is bound as
   * the dialect's list (a PostgreSQL array: write `= ANY(:refs)`).
   */
  named(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]>;
  /** Positional parameters in the driver's own syntax (`$1` for PostgreSQL): what code connectors use. */
  query(sql: string, params?: unknown[]): Promise<unknown>;
  /** What the credentials may do beyond reading; empty when they are read-only. */
  writePrivileges(): Promise<string[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface SourceDriverOptions {
  /** Parameterised statements prepared once per connection where the driver can (default true). */
  preparedStatements?: boolean;
}

export type SourceDriverFactory = (url: string, options?: SourceDriverOptions) => SourceDriver;

/** `:name` outside string literals and `::casts`, in order of appearance. */
const NAMED = /'(?:[^']|'')*'|::|:([A-Za-z_][A-Za-z0-9_]*)/g;

/** Rewrites `:name` parameters as `$1…$n` (a name used twice binds once). */
export function toPositional(
  sql: string,
  params: Record<string, unknown>,
): { text: string; values: unknown[] } {
  const order: string[] = [];
  const text = sql.replace(NAMED, (whole, name: string | undefined) => {
    if (name === undefined) return whole;
    if (!(name in params)) throw new Error(`SQL names parameter :${name}, which is not supplied`);
    let index = order.indexOf(name);
    if (index < 0) index = order.push(name) - 1;
    return `$${index + 1}`;
  });
  return { text, values: order.map((n) => params[n]) };
}

export class PostgresSourceDriver implements SourceDriver {
  readonly dialect = 'postgres';
  private readonly pool: Pool;

  constructor(url: string, options: PoolConfig = {}, driver: SourceDriverOptions = {}) {
    this.pool = new Pool({
      ...preparedStatementsPool(driver.preparedStatements !== false),
      connectionString: url,
      max: 4,
      // Belt and braces beside the read-only role: every transaction of this pool is read-only.
      options: '-c default_transaction_read_only=on',
      application_name: 'mash-adapter',
      ...options,
    });
    // An idle client's error (a restarted server) must not crash the adapter; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async named(sql: string, params: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const { text, values } = toPositional(sql, params);
    return (await this.pool.query(text, values)).rows as Record<string, unknown>[];
  }

  async query(sql: string, params: unknown[] = []): Promise<unknown> {
    return (await this.pool.query(sql, params)).rows;
  }

  async writePrivileges(): Promise<string[]> {
    const rows = (
      await this.pool.query(
        `SELECT 'superuser' AS what FROM pg_roles WHERE rolname = current_user AND rolsuper
         UNION ALL
         SELECT DISTINCT privilege_type || ' on ' || table_name FROM information_schema.table_privileges
          WHERE grantee = current_user AND privilege_type NOT IN ('SELECT', 'REFERENCES', 'TRIGGER')
            AND table_schema NOT IN ('pg_catalog', 'information_schema')
         UNION ALL
         SELECT 'CREATE on schema ' || nspname FROM pg_namespace
          WHERE has_schema_privilege(current_user, nspname, 'CREATE')
            AND nspname NOT LIKE 'pg_%' AND nspname <> 'information_schema'`,
      )
    ).rows as Array<{ what: string }>;
    return rows.map((r) => r.what);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function notInstalled(dialect: string, library: string): SourceDriverFactory {
  return () => {
    throw new Error(
      `the ${dialect} source driver is not part of this build: implement SourceDriver with ${library} (docs/sources.md)`,
    );
  };
}

/** The drivers a connector file may name. */
export const SOURCE_DRIVERS: Record<string, SourceDriverFactory> = {
  postgres: (url, options) => new PostgresSourceDriver(url, {}, options),
  // Files imported into the adapter's own store (PostgreSQL), read like any source: read-only.
  files: (url, options) => new PostgresSourceDriver(url, {}, options),
  mssql: notInstalled('SQL Server', 'mssql (tedious)'),
  oracle: notInstalled('Oracle', 'oracledb'),
  // A FHIR R4 server: the URL is its base URL; read with GET only (see fhir/fhir-connector.ts).
  fhir: (url) => new FhirSourceDriver(url),
};

/** The drivers of a SQL connector file (`fhir` has its own file shape: `FhirConnectorFileSchema`). */
export const SQL_DRIVER_NAMES = ['postgres', 'files', 'mssql', 'oracle'] as const;
export const SOURCE_DRIVER_NAMES = [...SQL_DRIVER_NAMES, 'fhir'] as const;
export type SourceDriverName = (typeof SOURCE_DRIVER_NAMES)[number];

export function createSourceDriver(
  name: SourceDriverName,
  url: string,
  options?: SourceDriverOptions,
): SourceDriver {
  return SOURCE_DRIVERS[name](url, options);
}
