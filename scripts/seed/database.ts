import { AdapterSdkEntities, AdapterSdkMigrations } from '@mash/adapter-sdk';
import type { Agency } from '@mash/contracts';
import { Client } from 'pg';
import {
  DataSource,
  type EntityManager,
  type EntityTarget,
  type MigrationInterface,
  type ObjectLiteral,
} from 'typeorm';
import {
  EducationSourceEntities,
  EducationSourceMigrations,
} from '../../apps/adapter-education/src/source';
import { HealthSourceEntities, HealthSourceMigrations } from '../../apps/adapter-health/src/source';
import { PoliceSourceEntities, PoliceSourceMigrations } from '../../apps/adapter-police/src/source';
import {
  SocialCareSourceEntities,
  SocialCareSourceMigrations,
} from '../../apps/adapter-social-care/src/source';

type MigrationClass = new () => MigrationInterface;

export const SOURCE_SCHEMAS: Record<
  Agency,
  { entities: (new () => ObjectLiteral)[]; migrations: MigrationClass[] }
> = {
  police: { entities: PoliceSourceEntities, migrations: PoliceSourceMigrations },
  health: { entities: HealthSourceEntities, migrations: HealthSourceMigrations },
  education: { entities: EducationSourceEntities, migrations: EducationSourceMigrations },
  'social-care': { entities: SocialCareSourceEntities, migrations: SocialCareSourceMigrations },
};

/** `mash_` + `social-care` → `mash_social_care`. */
export function sourceDatabaseName(prefix: string, agency: Agency): string {
  return `${prefix}${agency.replace(/-/g, '_')}`;
}

/** `mash_` + `social-care` → `mash_adapter_social_care`: the adapter's own database. */
export function storeDatabaseName(prefix: string, agency: Agency): string {
  return `${prefix}adapter_${agency.replace(/-/g, '_')}`;
}

/** `mash_` + `police` → `mash_police_reader`: the role that may only read the source. */
export function readerRoleName(prefix: string, agency: Agency): string {
  return `${prefix}${agency.replace(/-/g, '_')}_reader`;
}

/**
 * A development-only password for the read-only roles the seed creates (the local server trusts
 * loopback connections anyway); a real agency creates its own role and hands its URL to the adapter.
 */
export const READER_PASSWORD = process.env.SOURCE_READER_PASSWORD ?? 'mash-reader-dev';

/** The source URL as its read-only role: what the adapter is given. */
export function readerUrl(serverUrl: string, prefix: string, agency: Agency): string {
  const url = new URL(databaseUrl(serverUrl, sourceDatabaseName(prefix, agency)));
  url.username = readerRoleName(prefix, agency);
  url.password = READER_PASSWORD;
  return url.toString();
}

/**
 * Creates (or refreshes) the agency's read-only role: it may connect to the source database and
 * SELECT its tables, and nothing else (no CREATE on the schema either).
 */
export async function grantReadOnly(
  manager: { query(sql: string): Promise<unknown> },
  role: string,
  database: string,
): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(role))
    throw new Error(`refusing role name ${JSON.stringify(role)}`);
  const password = READER_PASSWORD.replace(/'/g, "''");
  await manager.query(`DO $$ BEGIN
      CREATE ROLE "${role}" LOGIN PASSWORD '${password}' NOSUPERUSER NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$`);
  await manager.query(`ALTER ROLE "${role}" LOGIN PASSWORD '${password}'`);
  await manager.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
  await manager.query(`GRANT CONNECT ON DATABASE "${database}" TO "${role}"`);
  await manager.query(`GRANT USAGE ON SCHEMA public TO "${role}"`);
  await manager.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO "${role}"`);
}

/** The server URL with its database path replaced. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function ensureDatabase(serverUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(database))
    throw new Error(`refusing database name ${JSON.stringify(database)}`);
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE "${database}"`);
      } catch (error) {
        // Another process may have created it between the check and the create.
        if ((error as { code?: string }).code !== '42P04') throw error;
      }
    }
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** A DataSource for an agency's source database: its entities and migrations, never synchronize. */
export function sourceDataSource(agency: Agency, url: string): DataSource {
  const schema = SOURCE_SCHEMAS[agency];
  return new DataSource({
    type: 'postgres',
    url,
    entities: schema.entities,
    migrations: schema.migrations,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  });
}

/** A DataSource for an adapter's own database (the SDK's tables), migrated by the SDK's migrations. */
export function storeDataSource(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: AdapterSdkEntities,
    migrations: AdapterSdkMigrations,
    synchronize: false,
    logging: false,
  });
}

/** Empties every table of the agency's schema (the migrations table excepted). */
export async function truncateAll(manager: EntityManager): Promise<void> {
  const tables = manager.connection.entityMetadatas.map((m) => `"${m.tableName}"`).join(', ');
  await manager.query(`TRUNCATE TABLE ${tables} CASCADE`);
}

/**
 * Inserts rows given by entity property names in batches, one statement per batch using
 * `unnest` over one array parameter per column: no parameter limit, no per-row round trips.
 */
export async function bulkInsert(
  manager: EntityManager,
  entity: EntityTarget<ObjectLiteral>,
  rows: ObjectLiteral[],
  batchSize = 5000,
): Promise<void> {
  if (rows.length === 0) return;
  const ds = manager.connection;
  const metadata = ds.getMetadata(entity);
  const columns = metadata.columns.filter((c) => rows[0][c.propertyName] !== undefined);
  const names = columns.map((c) => `"${c.databaseName}"`).join(', ');
  const casts = columns.map((c, i) => `$${i + 1}::${arrayType(ds, c)}`).join(', ');
  const sql = `INSERT INTO "${metadata.tableName}" (${names}) SELECT * FROM unnest(${casts})`;
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const params = columns.map((c) =>
      batch.map((row) => ds.driver.preparePersistentValue(row[c.propertyName], c) ?? null),
    );
    await manager.query(sql, params);
  }
}

function arrayType(
  ds: DataSource,
  column: Parameters<DataSource['driver']['normalizeType']>[0],
): string {
  const type = ds.driver.normalizeType(column);
  return `${type === 'simple-array' ? 'text' : type}[]`;
}
