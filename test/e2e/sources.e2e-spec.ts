import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { ADAPTER_STORE_TABLES, createSourceDriver } from '@mash/adapter-sdk';
import { AGENCIES } from '@mash/contracts';
import {
  Federation,
  adapterStoreUrl,
  dropDatabases,
  eventually,
  seedSources,
  status,
  testDatabaseUrl,
} from '../support/federation';

/*
 * Agency IT connects a real system (issue 18): the adapter's own state stays out of the source,
 * the source is read with read-only credentials, and the match index follows the source's changes.
 */
describe('Adapters and their sources', () => {
  const federation = new Federation();
  let analyst: string;

  beforeAll(async () => {
    await dropDatabases(['broker', ...AGENCIES]);
    seedSources();
    await federation.start();
    analyst = await federation.token('analyst');
  }, 180_000);

  afterAll(async () => {
    await federation.stop();
  });

  async function tables(url: string): Promise<string[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      const res = await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1`,
      );
      return res.rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  }

  it("keeps the SDK's tables out of every source database and in each adapter's own", async () => {
    for (const agency of AGENCIES) {
      const source = await tables(testDatabaseUrl(agency));
      expect(source.length).toBeGreaterThan(3);
      expect({
        agency,
        sdkTables: source.filter((t) => ADAPTER_STORE_TABLES.includes(t as never)),
      }).toEqual({ agency, sdkTables: [] });
      const own = await tables(adapterStoreUrl(agency));
      expect(own).toEqual(expect.arrayContaining([...ADAPTER_STORE_TABLES]));
    }
  });

  it('gives each adapter credentials that can read its source and write nothing', async () => {
    for (const agency of AGENCIES) {
      const upper = agency.toUpperCase().replace('-', '_');
      const url = federation.env[`${upper}_DATABASE_URL`]!;
      expect(new URL(url).username).toBe(`mash_test_${agency.replace('-', '_')}_reader`);
      const driver = createSourceDriver('postgres', url);
      try {
        await expect(driver.writePrivileges()).resolves.toEqual([]);
        // Even past the session's read-only default, the role itself may not write.
        const client = new Client({ connectionString: url });
        await client.connect();
        try {
          await expect(client.query('CREATE TABLE mash_probe (id int)')).rejects.toThrow(
            /permission denied/,
          );
        } finally {
          await client.end();
        }
      } finally {
        await driver.close();
      }
    }
  });

  it('finds a person added to a source after the adapters started, and reports how soon', async () => {
    const person = {
      id: randomUUID(),
      forename: 'Marisol',
      surname: `Quennell-${randomUUID().slice(0, 6)}`,
      dateOfBirth: '2015-04-23',
    };
    const caseId = await federation.openCaseWithoutConsent(
      { givenName: person.forename, familyName: person.surname, dateOfBirth: person.dateOfBirth },
      { referrer: { agency: 'education' }, concerns: ['neglect'] },
    );
    // The agency's own system records a new nominal (as the agency's application would, not as
    // the adapter's read-only role).
    const police = new Client({ connectionString: testDatabaseUrl('police') });
    await police.connect();
    let insertedAt: number;
    try {
      await police.query(
        `INSERT INTO person (person_id, surname, forename, date_of_birth, sex) VALUES ($1, $2, $3, $4, 'F')`,
        [person.id, person.surname, person.forename, person.dateOfBirth],
      );
      await police.query(
        `INSERT INTO person_address (person_id, address_line, town, postcode) VALUES ($1, '3 Tanner Street', 'Northampton', 'NN1 4QT')`,
        [person.id],
      );
      insertedAt = Date.now();
    } finally {
      await police.end();
    }

    const store = new Client({ connectionString: adapterStoreUrl('police') });
    await store.connect();
    let indexedAt: number;
    try {
      indexedAt = await eventually(
        async () => {
          const res = await store.query('SELECT 1 FROM match_key WHERE subject_ref = $1 LIMIT 1', [
            person.id,
          ]);
          return res.rowCount === 1 ? Date.now() : undefined;
        },
        30_000,
        50,
      );
    } finally {
      await store.end();
    }

    const asked = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    const answered = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${asked.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    }, 30_000);
    const foundAt = Date.now();
    expect(answered.agencies[0]).toMatchObject({ agency: 'police', status: 'match' });

    // Measured, not asserted (bench/match-index.bench.ts records the figure).
    process.stderr.write(
      `[sources] inserted -> indexed ${indexedAt - insertedAt} ms, inserted -> answered ${foundAt - insertedAt} ms\n`,
    );
  });
});
