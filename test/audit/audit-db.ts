import { Client, Pool } from 'pg';
import { DataSource } from 'typeorm';
import { AUDIT_ENTITIES, AUDIT_MIGRATIONS } from '@mash/audit';

/** Test helper: a private database with the audit migration applied, reset between tests. */
export const ADMIN_URL =
  process.env.DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}

export async function ensureDatabase(name: string): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
}

export function dataSourceFor(url: string): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: AUDIT_ENTITIES,
    migrations: AUDIT_MIGRATIONS,
    synchronize: false,
    logging: false,
  });
}

/** Drops everything and re-runs the migration: the cheapest way past the append-only trigger. */
export async function resetSchema(pool: Pool, url: string): Promise<void> {
  await pool.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  const ds = dataSourceFor(url);
  await ds.initialize();
  try {
    await ds.runMigrations();
  } finally {
    await ds.destroy();
  }
}

/** Runs `sql` with the table's row trigger disabled (what a superuser attacker would do). */
export async function tamper(
  pool: Pool,
  sql: string,
  params: unknown[] = [],
  table: 'audit_event' | 'audit_pending' = 'audit_event',
): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    await c.query(sql, params);
    await c.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    await c.query('COMMIT');
  } catch (err) {
    await c.query('ROLLBACK');
    throw err;
  } finally {
    c.release();
  }
}
