import { createHash } from 'node:crypto';
import { Client } from 'pg';
import { z } from 'zod';

/**
 * `DATABASE_PREPARED_STATEMENTS`: `false` behind a connection pooler that cannot carry named
 * statements from one transaction to the next (PgBouncer in transaction mode before 1.21).
 */
export const PreparedStatementsEnvSchema = z.object({
  DATABASE_PREPARED_STATEMENTS: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});

/** Distinct statement texts one process prepares; later ones run unnamed, as pg does by default. */
export const PREPARED_STATEMENT_LIMIT = 256;
/**
 * SQLSTATE feature_not_supported: what PostgreSQL answers for a prepared statement whose result
 * columns changed under it (DDL). Other unsupported features share the code; retiring their text
 * too only costs it the preparation.
 */
const RESULT_TYPE_CHANGED = '0A000';

const names = new Map<string, string>();

/** The statement name for `text`, or undefined once the process has named its limit. */
function statementName(text: string): string | undefined {
  let name = names.get(text);
  if (name === undefined && names.size < PREPARED_STATEMENT_LIMIT) {
    name = `mash_${createHash('sha256').update(text).digest('base64url').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

type QueryCallback = (error: Error | null, result?: unknown) => void;

/**
 * A pg client that runs every parameterised statement as a named prepared statement, so
 * PostgreSQL parses and plans each text once per connection instead of on every call (after five
 * calls it keeps a generic plan when that costs no more than planning each time). Measured on the
 * broker's query view read: 490 µs of PostgreSQL CPU a call unnamed, 213 named (docs/operations.md).
 *
 * Statements without parameters (transaction control, migrations' multi-statement scripts) run as
 * before. Hand it to a pg pool (TypeORM: `extra`) as `Client`.
 */
export class PreparingClient extends Client {
  /** Names PostgreSQL refused on this connection; their texts run unnamed from then on. */
  readonly retired = new Set<string>();
}

const unnamedQuery = Client.prototype.query as (this: Client, ...args: unknown[]) => unknown;
// pg's `query` has a dozen overloads TypeScript cannot override one by one; the wrapper passes
// every call through and only turns `(text, values[, callback])` into a named query config.
Object.defineProperty(PreparingClient.prototype, 'query', {
  value: function query(this: PreparingClient, config: unknown, values?: unknown, cb?: unknown) {
    if (typeof config !== 'string' || !Array.isArray(values) || values.length === 0)
      return unnamedQuery.call(this, config, values, cb);
    const name = statementName(config);
    if (name === undefined || this.retired.has(name))
      return unnamedQuery.call(this, config, values, cb);
    // A table altered under a prepared `SELECT *` fails with 0A000 until the statement is
    // deallocated, and a transaction that saw the error cannot deallocate it: the text runs
    // unnamed on this connection instead.
    const retire = (error: unknown) => {
      if ((error as { code?: string } | null)?.code === RESULT_TYPE_CHANGED) this.retired.add(name);
    };
    const named = { name, text: config, values };
    if (typeof cb === 'function') {
      return unnamedQuery.call(this, named, (error: Error | null, result?: unknown) => {
        if (error) retire(error);
        (cb as QueryCallback)(error, result);
      });
    }
    return (unnamedQuery.call(this, named) as Promise<unknown>).catch((error: unknown) => {
      retire(error);
      throw error;
    });
  },
});

/** What a pg pool (TypeORM: `extra`) takes to prepare statements, or to run them unnamed. */
export function preparedStatementsPool(enabled: boolean): { Client?: typeof PreparingClient } {
  return enabled ? { Client: PreparingClient } : {};
}
