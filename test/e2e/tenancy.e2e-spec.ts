/**
 * Partnership tenancy: a user of one MASH partnership asking for another partnership's case,
 * consent decision, query or agreement gets exactly the 404 a missing id gets, and nothing
 * changes in the database. Every route that takes an id must appear in the table below: a new
 * one without a tenancy case fails the completeness test.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Client } from 'pg';
import { AGENCIES } from '@mash/contracts';
import {
  auditSequenced,
  Federation,
  baseEnv,
  dropDatabases,
  status,
  testDatabaseUrl,
} from '../support/federation';

const DB = 'broker_tenancy';
const OWNER = 'demo';
const INTRUDER = 'elsewhere';
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Ids {
  caseId: string;
  decisionId: string;
  queryId: string;
  agreementId: string;
  version: number;
  meetingId: string;
  /** The owned case's subject, as a member of its household. */
  memberId: string;
}

interface Endpoint {
  method: 'get' | 'put' | 'post' | 'patch';
  /** The route as Express registers it. */
  route: string;
  path: (ids: Ids) => string;
  body?: Record<string, unknown>;
  /** Whose token asks: the intruder's staff (the default) or its police representative. */
  as?: 'representative';
  /** Being built by others: probed once it is registered; the completeness test still binds it. */
  optional?: true;
}

const JUSTIFICATION = 'A cross-partnership probe that must change nothing at all.';

const ENDPOINTS: Endpoint[] = [
  { method: 'get', route: '/api/v1/cases/:id', path: (i) => `/api/v1/cases/${i.caseId}` },
  {
    method: 'put',
    route: '/api/v1/cases/:id/consent',
    path: (i) => `/api/v1/cases/${i.caseId}/consent`,
    body: { status: 'given', justification: JUSTIFICATION },
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/consent/:decisionId/approve',
    path: (i) => `/api/v1/cases/${i.caseId}/consent/${i.decisionId}/approve`,
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/queries',
    path: (i) => `/api/v1/cases/${i.caseId}/queries`,
    body: { purpose: 'mash-triage' },
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/queries/dry-run',
    path: (i) => `/api/v1/cases/${i.caseId}/queries/dry-run`,
    body: { purpose: 'mash-triage' },
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/rating',
    path: (i) => `/api/v1/cases/${i.caseId}/rating`,
    body: { rag: 'green', rationale: JUSTIFICATION },
    optional: true,
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/outcome',
    path: (i) => `/api/v1/cases/${i.caseId}/outcome`,
    body: { outcome: 'nfa', rationale: JUSTIFICATION },
    optional: true,
  },
  {
    method: 'get',
    route: '/api/v1/cases/:id/transparency-report',
    path: (i) => `/api/v1/cases/${i.caseId}/transparency-report`,
    optional: true,
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/transparency/withhold',
    path: (i) => `/api/v1/cases/${i.caseId}/transparency/withhold`,
    body: { item: 'agency:police', reason: JUSTIFICATION },
    optional: true,
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/members',
    path: (i) => `/api/v1/cases/${i.caseId}/members`,
    body: {
      givenName: 'Tenant',
      familyName: 'Sibling',
      dateOfBirth: '2015-05-06',
      relationship: 'sibling',
    },
  },
  {
    method: 'get',
    route: '/api/v1/cases/:id/chronology',
    path: (i) => `/api/v1/cases/${i.caseId}/chronology`,
  },
  {
    method: 'patch',
    route: '/api/v1/cases/:id/members/:memberId',
    path: (i) => `/api/v1/cases/${i.caseId}/members/${i.memberId}`,
    body: { postcode: 'NN1 1AA' },
  },
  {
    method: 'post',
    route: '/api/v1/queries/:id/resolution',
    path: (i) => `/api/v1/queries/${i.queryId}/resolution`,
    body: { decision: 'reject' },
    as: 'representative',
  },
  {
    method: 'post',
    route: '/api/v1/cases/:id/contributions',
    path: (i) => `/api/v1/cases/${i.caseId}/contributions`,
    body: { kind: 'professional-judgement', text: JUSTIFICATION, confidence: 'medium' },
    as: 'representative',
  },
  {
    method: 'get',
    route: '/api/v1/cases/:id/contributions',
    path: (i) => `/api/v1/cases/${i.caseId}/contributions`,
  },
  { method: 'get', route: '/api/v1/queries/:id', path: (i) => `/api/v1/queries/${i.queryId}` },
  {
    // Server-Sent Events: a 404 is answered as JSON before any stream starts.
    method: 'get',
    route: '/api/v1/queries/:id/events',
    path: (i) => `/api/v1/queries/${i.queryId}/events`,
  },
  { method: 'get', route: '/api/v1/meetings/:id', path: (i) => `/api/v1/meetings/${i.meetingId}` },
  {
    method: 'get',
    route: '/api/v1/agreements/:id',
    path: (i) => `/api/v1/agreements/${i.agreementId}`,
  },
  {
    method: 'get',
    route: '/api/v1/agreements/:id/versions/:version/export',
    path: (i) => `/api/v1/agreements/${i.agreementId}/versions/${i.version}/export`,
    optional: true,
  },
  {
    method: 'post',
    route: '/api/v1/agreements/:id/versions/:version/activate',
    path: (i) => `/api/v1/agreements/${i.agreementId}/versions/${i.version}/activate`,
  },
  {
    method: 'post',
    route: '/api/v1/agreements/:id/versions/:version/suspend',
    path: (i) => `/api/v1/agreements/${i.agreementId}/versions/${i.version}/suspend`,
    body: { reason: JUSTIFICATION },
  },
];

/** The routes Express serves, as `METHOD /path` (Express 5 keeps them on `app.router`). */
function expressRoutes(federation: Federation): string[] {
  const express = federation.broker.getHttpAdapter().getInstance() as {
    router?: { stack: unknown[] };
    _router?: { stack: unknown[] };
  };
  const stack = (express.router ?? express._router)?.stack ?? [];
  const routes: string[] = [];
  for (const layer of stack as Array<{
    route?: { path: string; methods: Record<string, boolean> };
  }>) {
    if (!layer.route) continue;
    for (const method of Object.keys(layer.route.methods))
      routes.push(`${method.toUpperCase()} ${layer.route.path}`);
  }
  return routes;
}

/** A fingerprint of every broker table (the owner's audit chain only: the intruder's own may grow). */
async function snapshot(db: Client): Promise<Record<string, string>> {
  // Compare settled audit tables: the owner's entries from the setup may still be moving from
  // audit_pending to audit_event.
  await auditSequenced(db);
  const { rows: tables } = await db.query<{ table_name: string }>(
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
  );
  const result: Record<string, string> = {};
  for (const { table_name: table } of tables) {
    if (table === 'audit_checkpoint') continue;
    // The audit tables hold every partnership's entries (the intruder's own move from
    // audit_pending to audit_event while the test runs): compare the owner's only.
    const where =
      table === 'audit_event' || table === 'audit_pending' ? `WHERE partnership = '${OWNER}'` : '';
    const { rows } = await db.query<{ n: string; digest: string | null }>(
      `SELECT count(*) AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS digest FROM "${table}" t ${where}`,
    );
    result[table] = `${rows[0].n}:${rows[0].digest ?? ''}`;
  }
  return result;
}

describe('Tenancy: another partnership cannot see or change what is not theirs', () => {
  let federation: Federation;
  let db: Client;
  let owned: Ids;
  let intruder: string;
  let intruderRepresentative: string;

  const send = (e: Endpoint, ids: Ids) => {
    const token = e.as === 'representative' ? intruderRepresentative : intruder;
    const agent = request(federation.http());
    const req = agent[e.method](e.path(ids)).set('Authorization', `Bearer ${token}`);
    return e.body ? req.send(e.body) : req;
  };

  beforeAll(async () => {
    await dropDatabases([DB]);
    const env = baseEnv({
      PORT: '3913',
      DATABASE_URL: testDatabaseUrl(DB),
      AUTH_FAILURE_LIMIT: '100000',
    });
    // Agencies' keys cannot be fetched: a query fails at once instead of waiting in the background.
    for (const agency of AGENCIES)
      env[`${agency.toUpperCase().replace('-', '_')}_JWKS_URL`] =
        'http://127.0.0.1:9/.well-known/jwks.json';
    federation = new Federation(env);
    await federation.startBroker();
    db = new Client({ connectionString: testDatabaseUrl(DB) });
    await db.connect();

    const analyst = await federation.token('analyst', OWNER, 'owner-analyst');
    const admin = await federation.token('agreement-admin', OWNER, 'owner-admin');
    const opened = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: { givenName: 'Tenant', familyName: 'Owned', dateOfBirth: '2013-03-04' },
        referrer: { agency: 'police' },
        concerns: ['physical-abuse'],
      })
      .expect(status(201));
    const consent = await request(federation.http())
      .put(`/api/v1/cases/${opened.body.id}/consent`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
    const query = await request(federation.http())
      .post(`/api/v1/cases/${opened.body.id}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    const agreements = await request(federation.http())
      .get('/api/v1/agreements')
      .set('Authorization', `Bearer ${admin}`)
      .expect(status(200));
    const active = (agreements.body as Array<{ id: string; version: number; status: string }>).find(
      (a) => a.status === 'active',
    );
    if (!active) throw new Error('the demo partnership has no active agreement to probe');
    const manager = await federation.token('manager', OWNER, 'owner-manager');
    const meeting = await request(federation.http())
      .post('/api/v1/meetings')
      .set('Authorization', `Bearer ${manager}`)
      .send({
        kind: 'daily-mash',
        heldAt: '2026-12-01T09:30:00Z',
        attendees: [{ name: 'Priya Shah', agency: 'social-care', role: 'Team manager (chair)' }],
        cases: [{ caseId: opened.body.id, decision: 'No further action from this meeting.' }],
      })
      .expect(status(201));
    owned = {
      caseId: opened.body.id,
      decisionId: consent.body.id,
      queryId: query.body.id,
      agreementId: active.id,
      version: active.version,
      meetingId: meeting.body.id,
      memberId: (opened.body.members as Array<{ id: string }>)[0].id,
    };
    intruder = await federation.token(
      ['analyst', 'manager', 'auditor', 'agreement-admin'],
      INTRUDER,
      'intruder',
    );
    intruderRepresentative = await federation.token(
      'agency-representative',
      INTRUDER,
      'intruder-rep',
      'police',
    );
  }, 120_000);

  afterAll(async () => {
    await db?.end();
    await federation?.stop();
  });

  it('gives cases, consent decisions and queries random (version 4) UUIDs', () => {
    for (const id of [owned.caseId, owned.decisionId, owned.queryId]) expect(id).toMatch(UUID_V4);
    expect(new Set([owned.caseId, owned.decisionId, owned.queryId]).size).toBe(3);
    expect(owned.agreementId).toMatch(UUID);
  });

  it('has a tenancy case for every route that takes an id', () => {
    // Console pages call the same scoped services; test/browser/console.browser-spec.ts shows it.
    const withIds = expressRoutes(federation).filter(
      (r) => r.split(' ')[1].startsWith('/api/') && /\/:[A-Za-z]*[iI]d\b/.test(r),
    );
    const covered = new Set(ENDPOINTS.map((e) => `${e.method.toUpperCase()} ${e.route}`));
    expect(withIds.filter((r) => !covered.has(r))).toEqual([]);
  });

  it.each(ENDPOINTS.map((e) => [`${e.method.toUpperCase()} ${e.route}`, e] as const))(
    '%s answers 404 for another partnership, exactly as for a missing id, and changes nothing',
    async (name, endpoint) => {
      if (endpoint.optional && !expressRoutes(federation).includes(name)) return;
      expect(expressRoutes(federation)).toContain(name);
      const missing: Ids = {
        caseId: randomUUID(),
        decisionId: randomUUID(),
        queryId: randomUUID(),
        agreementId: randomUUID(),
        version: owned.version,
        meetingId: randomUUID(),
        memberId: randomUUID(),
      };
      const before = await snapshot(db);
      const foreign = await send(endpoint, owned).expect(status(404));
      const absent = await send(endpoint, missing).expect(status(404));
      expect(Object.keys(foreign.body).sort()).toEqual(Object.keys(absent.body).sort());
      expect({ code: foreign.body.code, message: foreign.body.message }).toEqual({
        code: absent.body.code,
        message: absent.body.message,
      });
      expect(foreign.body.code).toMatch(/^[A-Z]+\.NOT_FOUND$/);
      expect(foreign.text).not.toContain(OWNER);
      expect(await snapshot(db)).toEqual(before);
    },
  );

  it('does not find another partnership’s consent decision through one of the intruder’s own cases', async () => {
    const theirs = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${intruder}`)
      .send({
        subject: { givenName: 'Tenant', familyName: 'Other', dateOfBirth: '2012-01-02' },
        referrer: { agency: 'police' },
        concerns: ['neglect'],
      })
      .expect(status(201));
    const before = await snapshot(db);
    const path = (decisionId: string) =>
      `/api/v1/cases/${theirs.body.id}/consent/${decisionId}/approve`;
    const foreign = await request(federation.http())
      .post(path(owned.decisionId))
      .set('Authorization', `Bearer ${intruder}`)
      .expect(status(404));
    const absent = await request(federation.http())
      .post(path(randomUUID()))
      .set('Authorization', `Bearer ${intruder}`)
      .expect(status(404));
    expect({ code: foreign.body.code, message: foreign.body.message }).toEqual({
      code: absent.body.code,
      message: absent.body.message,
    });
    expect(await snapshot(db)).toEqual(before);
  });

  it('lists nothing of another partnership', async () => {
    const cases = await request(federation.http())
      .get('/api/v1/cases')
      .set('Authorization', `Bearer ${intruder}`)
      .expect(status(200));
    expect(JSON.stringify(cases.body)).not.toContain(owned.caseId);
    const agreements = await request(federation.http())
      .get('/api/v1/agreements')
      .set('Authorization', `Bearer ${intruder}`)
      .expect(status(200));
    expect(JSON.stringify(agreements.body)).not.toContain(owned.agreementId);
    const audit = await request(federation.http())
      .get('/api/v1/audit/events')
      .set('Authorization', `Bearer ${intruder}`);
    if (audit.status === 200) {
      expect(audit.text).not.toContain(owned.caseId);
      expect(audit.text).not.toContain(`"partnership":"${OWNER}"`);
    }
  });

  it('still serves the owner (the probes above were refused for tenancy, not for being wrong)', async () => {
    const manager = await federation.token('manager', OWNER, 'owner-manager');
    await request(federation.http())
      .get(`/api/v1/cases/${owned.caseId}`)
      .set('Authorization', `Bearer ${manager}`)
      .expect(status(200));
    await request(federation.http())
      .get(`/api/v1/queries/${owned.queryId}`)
      .set('Authorization', `Bearer ${manager}`)
      .expect(status(200));
    await request(federation.http())
      .get(`/api/v1/agreements/${owned.agreementId}`)
      .set('Authorization', `Bearer ${manager}`)
      .expect(status(200));
    for (const path of [
      `/api/v1/cases/${owned.caseId}/chronology`,
      `/api/v1/cases/${owned.caseId}/contributions`,
      `/api/v1/meetings/${owned.meetingId}`,
    ])
      await request(federation.http())
        .get(path)
        .set('Authorization', `Bearer ${manager}`)
        .expect(status(200));
  });
});
