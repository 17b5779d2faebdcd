import type { Pool, PoolClient } from 'pg';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';

export type Row = Record<string, unknown>;

/** Anything that runs one SQL statement with `$1…` parameters: a pg client, a TypeORM query runner… */
export interface SqlExecutor {
  query(sql: string, params?: unknown[]): Promise<unknown>;
}

/** What the library opens its own transactions on. */
export type AuditDatabase = Pool | DataSource;

/**
 * A transaction the caller already has open, so the audit entry commits or rolls back with the
 * state change it records: a TypeORM `EntityManager` (from `dataSource.transaction(...)`), a
 * `QueryRunner`, a pg `PoolClient` after `BEGIN`, or any `{ query(sql, params) }` inside a transaction.
 * An `EntityManager` with no transaction active is wrapped in one.
 */
export type AuditTransaction = EntityManager | QueryRunner | PoolClient | SqlExecutor;

/** Normalise the driver's result to rows: pg returns `{ rows }`, TypeORM returns the rows array. */
export async function queryRows<T extends object = Row>(
  exec: SqlExecutor,
  sql: string,
  params?: unknown[],
): Promise<T[]> {
  const result = await exec.query(sql, params);
  if (Array.isArray(result)) {
    // TypeORM returns [rows, affected] for UPDATE/DELETE; audit code only reads SELECT/INSERT rows.
    return result as T[];
  }
  if (
    typeof result === 'object' &&
    result !== null &&
    Array.isArray((result as { rows?: unknown }).rows)
  ) {
    return (result as { rows: T[] }).rows;
  }
  return [];
}

export function isDataSource(db: unknown): db is DataSource {
  return (
    typeof db === 'object' &&
    db !== null &&
    'createQueryRunner' in db &&
    'manager' in db &&
    'transaction' in db
  );
}

function isEntityManager(tx: unknown): tx is EntityManager {
  return (
    typeof tx === 'object' &&
    tx !== null &&
    'transaction' in tx &&
    'connection' in tx &&
    'getRepository' in tx
  );
}

export function isPool(db: unknown): db is Pool {
  return typeof db === 'object' && db !== null && 'connect' in db && 'totalCount' in db;
}

/** Run `fn` in a new transaction on `db`, or inside the caller's transaction when `tx` is given. */
export async function inTransaction<T>(
  db: AuditDatabase | SqlExecutor,
  tx: AuditTransaction | undefined,
  fn: (exec: SqlExecutor) => Promise<T>,
): Promise<T> {
  if (tx !== undefined) {
    if (isEntityManager(tx) && !tx.queryRunner?.isTransactionActive) {
      return tx.transaction((m) => fn(m));
    }
    return fn(tx);
  }
  if (isDataSource(db)) {
    return db.transaction((m) => fn(m));
  }
  if (isPool(db)) {
    const client = await db.connect();
    try {
      await client.query('BEGIN');
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
  // A bare executor: assume the caller manages the transaction.
  return fn(db);
}

/** An executor for reads: a pool/data source runs each statement on any connection. */
export function readerOf(db: AuditDatabase | SqlExecutor): SqlExecutor {
  if (isDataSource(db)) return { query: (sql, params) => db.query(sql, params) };
  return db;
}
