import { Client, Pool } from 'pg';
import {
  PREPARED_STATEMENT_LIMIT,
  PreparingClient,
  ensureDatabase,
  withDatabase,
} from '@mash/common';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const URL = withDatabase(SERVER, 'mash_scratch_prepared');

/** The statements PostgreSQL holds prepared on the connection `client` uses. */
async function prepared(client: { query: Pool['query'] }): Promise<string[]> {
  const { rows } = await client.query<{ statement: string }>(
    'SELECT statement FROM pg_prepared_statements ORDER BY prepare_time',
  );
  return rows.map((r) => r.statement);
}

describe(PreparingClient.name, () => {
  let pool: Pool;

  beforeAll(async () => {
    await ensureDatabase(URL);
    // One connection, so every statement and every look at pg_prepared_statements share it.
    pool = new Pool({ connectionString: URL, max: 1, Client: PreparingClient });
    await pool.query('DROP TABLE IF EXISTS prepared_probe');
    await pool.query('CREATE TABLE prepared_probe (id int PRIMARY KEY, label text)');
    await pool.query(`INSERT INTO prepared_probe VALUES (1, 'one'), (2, 'two')`);
  });

  afterAll(async () => {
    await pool?.end();
    const admin = new Client({ connectionString: SERVER });
    await admin.connect();
    await admin.query('DROP DATABASE IF EXISTS mash_scratch_prepared WITH (FORCE)');
    await admin.end();
  });

  it('prepares a parameterised statement once and reuses it, with the right rows each time', async () => {
    const sql = 'SELECT label FROM prepared_probe WHERE id = $1';
    const first = await pool.query(sql, [1]);
    const second = await pool.query(sql, [2]);
    expect(first.rows).toEqual([{ label: 'one' }]);
    expect(second.rows).toEqual([{ label: 'two' }]);
    const held = (await prepared(pool)).filter((s) => s === sql);
    expect(held).toHaveLength(1);
  });

  it('leaves statements without parameters, and several statements in one text, unprepared', async () => {
    const before = await prepared(pool);
    await pool.query('SELECT count(*) FROM prepared_probe');
    await pool.query('SELECT 1; SELECT 2');
    expect(await prepared(pool)).toEqual(before);
  });

  it('answers callers that pass a callback, as TypeORM and pg-pool may', async () => {
    const client = await pool.connect();
    try {
      const rows = await new Promise<unknown[]>((resolve, reject) =>
        client.query('SELECT id FROM prepared_probe WHERE label = $1', ['two'], (error, result) =>
          error ? reject(error) : resolve(result.rows),
        ),
      );
      expect(rows).toEqual([{ id: 2 }]);
      expect(await prepared(client)).toContain('SELECT id FROM prepared_probe WHERE label = $1');
    } finally {
      client.release();
    }
  });

  it('after a table changes under a prepared SELECT *, fails once, then runs the text unnamed', async () => {
    const sql = 'SELECT * FROM prepared_probe WHERE id = $1';
    expect((await pool.query(sql, [1])).rows).toEqual([{ id: 1, label: 'one' }]);
    await pool.query('ALTER TABLE prepared_probe ADD COLUMN note text');
    await expect(pool.query(sql, [1])).rejects.toMatchObject({ code: '0A000' });
    expect((await pool.query(sql, [1])).rows).toEqual([{ id: 1, label: 'one', note: null }]);
    expect((await pool.query(sql, [2])).rows).toEqual([{ id: 2, label: 'two', note: null }]);
  });

  it(`prepares at most ${PREPARED_STATEMENT_LIMIT} texts in a process, and runs the rest unnamed`, async () => {
    for (let i = 0; i < PREPARED_STATEMENT_LIMIT + 20; i++) {
      const { rows } = await pool.query(`SELECT $1::int + ${i} AS n`, [1]);
      expect(rows).toEqual([{ n: 1 + i }]);
    }
    const held = await prepared(pool);
    expect(held.length).toBeLessThanOrEqual(PREPARED_STATEMENT_LIMIT);
    expect(held).toContain('SELECT $1::int + 0 AS n');
    expect(held).not.toContain(`SELECT $1::int + ${PREPARED_STATEMENT_LIMIT + 19} AS n`);
  });

  it('in a failed transaction, the error is the caller’s and the connection recovers', async () => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await expect(
        client.query('INSERT INTO prepared_probe (id, label) VALUES ($1, $2)', [1, 'again']),
      ).rejects.toMatchObject({ code: '23505' });
      await client.query('ROLLBACK');
      const { rows } = await client.query(
        'INSERT INTO prepared_probe (id, label) VALUES ($1, $2) RETURNING id',
        [3, 'three'],
      );
      expect(rows).toEqual([{ id: 3 }]);
    } finally {
      client.release();
    }
  });
});
