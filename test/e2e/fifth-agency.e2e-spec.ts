/**
 * Any number of agencies (issue 18): a fifth agency, housing, joins the partnership by
 * configuration alone — a registry entry, an agreement and a connector file — and answers a query.
 * The registry is chosen before anything reads it (the agency list is read once, at load), so the
 * modules are imported after setting AGENCY_REGISTRY_FILE.
 */
import { randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';

const ROOT = resolve(__dirname, '../..');
const FIXTURES = resolve(ROOT, 'test/fixtures/housing');
process.env.AGENCY_REGISTRY_FILE = join(FIXTURES, 'registry.json');

type FederationModule = typeof import('../support/federation');
type SeedDatabase = typeof import('../../scripts/seed/database');

describe('A fifth agency added by configuration', () => {
  let fed: FederationModule;
  let federation: InstanceType<FederationModule['Federation']>;
  let agreements: string;
  const outcomes = resolve(ROOT, '.local/test/housing-outcomes');
  const child = {
    givenName: 'Tobias',
    familyName: `Arkwright-${randomUUID().slice(0, 6)}`,
    dateOfBirth: '2016-08-14',
    postcode: 'NN2 6JD',
    address: '41 Kettering Road',
  };

  beforeAll(async () => {
    fed = await import('../support/federation');
    const db: SeedDatabase = await import('../../scripts/seed/database');
    const { AGENCIES } = await import('@mash/contracts');
    expect(AGENCIES).toContain('housing');

    // The partnership's agreements, plus housing's.
    agreements = mkdtempSync(join(tmpdir(), 'mash-housing-agreements-'));
    cpSync(resolve(ROOT, 'deploy/agreements/demo'), agreements, { recursive: true });
    cpSync(join(FIXTURES, 'agreements/housing.yaml'), join(agreements, 'housing.yaml'));
    rmSync(outcomes, { recursive: true, force: true });

    await fed.dropDatabases(['broker', 'housing']);
    // The housing service's own system: what agency IT already runs, not something MASH makes.
    const server = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
    await db.ensureDatabase(server, fed.dbName('housing'));
    const source = new Client({ connectionString: fed.testDatabaseUrl('housing') });
    await source.connect();
    try {
      await source.query(`
        CREATE TABLE tenancy (tenancy_id uuid PRIMARY KEY, started_on date NOT NULL, tenure text NOT NULL,
                              arrears_pence int NOT NULL DEFAULT 0, nosp_served boolean NOT NULL DEFAULT false);
        CREATE TABLE tenant (tenant_id uuid PRIMARY KEY, tenancy_id uuid NOT NULL REFERENCES tenancy,
                             first_name text NOT NULL, last_name text NOT NULL, born_on date,
                             address text, postcode text, modified_at timestamptz NOT NULL DEFAULT now())`);
      const tenancy = randomUUID();
      await source.query(`INSERT INTO tenancy VALUES ($1, '2021-05-10', 'secure', 48250, true)`, [
        tenancy,
      ]);
      await source.query(
        `INSERT INTO tenant (tenant_id, tenancy_id, first_name, last_name, born_on, address, postcode)
         VALUES ($1, $2, $3, $4, $5, $6, $7), ($8, $2, 'Joanne', $4, '1988-02-02', $6, $7)`,
        [
          randomUUID(),
          tenancy,
          child.givenName,
          child.familyName,
          child.dateOfBirth,
          child.address,
          child.postcode,
          randomUUID(),
        ],
      );
      await db.grantReadOnly(
        source,
        db.readerRoleName('mash_test_', 'housing'),
        fed.dbName('housing'),
      );
    } finally {
      await source.end();
    }

    federation = new fed.Federation(
      fed.baseEnv({
        AGREEMENTS_DIR: agreements,
        HOUSING_CONNECTOR_FILE: join(FIXTURES, 'housing.yaml'),
      }),
    );
    await federation.startBroker();
    await federation.startAdapter('housing');
  }, 120_000);

  afterAll(async () => {
    await federation?.stop();
    if (agreements) rmSync(agreements, { recursive: true, force: true });
  });

  it('answers a query about a child it holds, minimised by its agreement', async () => {
    const analyst = await federation.token('analyst');
    const caseId = await federation.openCaseWithoutConsent(child, {
      referrer: { agency: 'education' },
      concerns: ['neglect'],
    });
    const asked = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['housing'] })
      .expect(fed.status(202));
    expect(asked.body.agencies).toEqual([
      expect.objectContaining({ agency: 'housing', decision: 'permit' }),
    ]);
    const done = await fed.eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${asked.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(fed.status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    }, 30_000);
    const housing = done.agencies[0];
    expect(housing).toMatchObject({ agency: 'housing', status: 'match' });
    expect(housing.records.tenancies).toEqual([
      { startedOn: '2021-05-10', tenure: 'secure', arrears: 482.5, noticeSeekingPossession: true },
    ]);
  });

  it('takes the case outcome through the file drop its connector file chose', async () => {
    const analyst = await federation.token('analyst');
    const caseId = await federation.openCaseWithoutConsent(child, {
      referrer: { agency: 'housing' },
      concerns: ['neglect'],
    });
    await request(federation.http())
      .post(`/api/v1/cases/${caseId}/outcome`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        outcome: 'early-help',
        rationale: 'Family support offered through the housing officer.',
      })
      .expect(fed.status(201));
    const dropped = await fed.eventually(async () => {
      const files = readdirSync(outcomes, { withFileTypes: true }).filter((f) =>
        f.name.endsWith('.json'),
      );
      return files.length === 1 ? files[0].name : undefined;
    }, 30_000);
    const outcome = JSON.parse(readFileSync(join(outcomes, dropped), 'utf8'));
    expect(outcome).toMatchObject({ caseRef: caseId, outcome: 'early-help' });
  });
});
