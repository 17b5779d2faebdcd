/**
 * The MASH case workflow end to end, over the real Kafka and PostgreSQL with the four adapters:
 * deadlines, re-rating, near-deadline events, the capacity queue, outcomes fed back to agencies,
 * retention, the transparency report and the partnership's metrics.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import { Client } from 'pg';
import { Topics, type Agency } from '@mash/contracts';
import { CapacityService } from '../../apps/broker/src/queries/capacity.service';
import { DeadlineJob } from '../../apps/broker/src/cases/deadline.job';
import { RetentionJob } from '../../apps/broker/src/cases/retention.job';
import { OutcomeService } from '../../apps/broker/src/outcomes/outcome.service';
import {
  adapterStoreUrl,
  auditSequenced,
  Federation,
  seededFederation,
  ROOT,
  baseEnv,
  eventually,
  status,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';
import { TopicRecorder } from '../support/kafka';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];
const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

/** The demo matrix with police limited to 2 queries an hour, so the capacity queue can be seen. */
function testThresholdsDir(): string {
  const dir = resolve(ROOT, '.local/test/thresholds-workflow');
  mkdirSync(dir, { recursive: true });
  const demo = readFileSync(resolve(ROOT, 'deploy/thresholds/demo.yaml'), 'utf8');
  const tight = demo.replace('police: { queriesPerHour: 120 }', 'police: { queriesPerHour: 2 }');
  if (tight === demo) throw new Error('demo matrix changed shape: police capacity not found');
  writeFileSync(resolve(dir, 'demo.yaml'), tight);
  return dir;
}

async function outcomeRows(
  agency: Agency,
  outcomeId: string,
): Promise<Array<{ outcome: string; case_ref: string }>> {
  const client = new Client({ connectionString: adapterStoreUrl(agency) });
  await client.connect();
  try {
    return (
      await client.query('SELECT outcome, case_ref FROM mash_outcome WHERE outcome_id = $1', [
        outcomeId,
      ])
    ).rows;
  } finally {
    await client.end();
  }
}

describe('The MASH case workflow', () => {
  const { federation, subjects } = seededFederation(
    new Federation(baseEnv({ THRESHOLDS_DIR: testThresholdsDir() })),
  );
  let analyst: string;
  let manager: string;

  beforeAll(async () => {
    analyst = await federation.token('analyst');
    manager = await federation.token('manager', 'demo', 'test-manager');
    federation.broker.get(OutcomeService).retries.baseMs = 1000;
  });

  // Each test starts two hours on (a fresh capacity hour), so only the capacity test meets the limit.
  beforeEach(() => {
    federation.clock.advance(2 * HOUR);
  });

  const http = () => request(federation.http());

  async function refer(
    body: Record<string, unknown>,
  ): Promise<{ id: string; rag: string; dueAt: string; status: string }> {
    const res = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send(body)
      .expect(status(201));
    return res.body;
  }

  async function openCase(
    subject: DemoSubject['subject'],
    opts: { concerns?: string[]; referrer?: string; receivedAt?: string } = {},
  ): Promise<string> {
    const created = await refer({
      subject,
      referrer: { agency: opts.referrer ?? 'education', name: 'Designated safeguarding lead' },
      concerns: opts.concerns ?? ['physical-abuse'],
      ...(opts.receivedAt ? { receivedAt: opts.receivedAt } : {}),
    });
    await http()
      .put(`/api/v1/cases/${created.id}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
    return created.id;
  }

  async function query(
    caseId: string,
    agencies?: Agency[],
  ): Promise<{ id: string; agencies: Array<{ agency: string; status: string }> }> {
    const res = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', ...(agencies ? { agencies } : {}) })
      .expect(status(202));
    return res.body;
  }

  async function settled(queryId: string): Promise<{
    status: string;
    agencies: Array<{ agency: string; status: string; records?: unknown }>;
  }> {
    return eventually(async () => {
      const res = await http()
        .get(`/api/v1/queries/${queryId}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    }, 30_000);
  }

  async function readCase(caseId: string) {
    return (
      await http()
        .get(`/api/v1/cases/${caseId}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200))
    ).body;
  }

  it('shows the must-show deadlines: red 16:30 Fri 22 May 2026 due 20:30 that day, amber due 16:30 Thu 28 May (Mon 25 is a bank holiday)', async () => {
    const subject = { givenName: 'Deadline', familyName: 'Example', dateOfBirth: '2016-04-01' };
    const red = await refer({
      subject,
      referrer: { agency: 'police' },
      concerns: ['physical-abuse'],
      receivedAt: '2026-05-22T16:30:00+01:00',
    });
    const amber = await refer({
      subject,
      referrer: { agency: 'police' },
      concerns: ['neglect'],
      receivedAt: '2026-05-22T16:30:00+01:00',
    });
    expect(red).toMatchObject({ rag: 'red', dueAt: '2026-05-22T19:30:00.000Z' });
    expect(amber).toMatchObject({ rag: 'amber', dueAt: '2026-05-28T15:30:00.000Z' });
  });

  it('re-rates a case with a rationale kept in its history, recomputes the deadline and lists overdue cases by due time', async () => {
    const receivedAt = new Date(federation.clock.now().getTime() - 10 * HOUR).toISOString();
    const caseId = await openCase(
      { givenName: 'Rerate', familyName: 'Child', dateOfBirth: '2014-01-02' },
      { concerns: ['parental-mental-health'], receivedAt },
    );
    const before = await readCase(caseId);
    expect(before).toMatchObject({ rag: 'green', overdue: false });

    await http()
      .post(`/api/v1/cases/${caseId}/rating`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ rag: 'red' })
      .expect(status(400));
    const auditor = await federation.token('auditor');
    await http()
      .post(`/api/v1/cases/${caseId}/rating`)
      .set('Authorization', `Bearer ${auditor}`)
      .send({ rag: 'red', rationale: 'New disclosure of injury today.' })
      .expect(status(403));
    const rerated = await http()
      .post(`/api/v1/cases/${caseId}/rating`)
      .set('Authorization', `Bearer ${manager}`)
      .send({ rag: 'red', rationale: 'New disclosure of injury made to the school nurse today.' })
      .expect(status(200));
    // Red is 4 elapsed hours from receipt, which was 10 hours ago: now overdue.
    expect(rerated.body).toMatchObject({
      rag: 'red',
      dueAt: new Date(Date.parse(receivedAt) + 4 * HOUR).toISOString(),
      overdue: true,
    });
    const after = await readCase(caseId);
    expect(after.ratingHistory).toEqual([
      expect.objectContaining({
        from: 'green',
        to: 'red',
        rationale: 'New disclosure of injury made to the school nurse today.',
        changedBy: 'test-manager',
        fromDueAt: before.dueAt,
      }),
    ]);

    const overdue = await http()
      .get('/api/v1/cases?overdue=true&status=open&limit=200')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    const ids = overdue.body.items.map((c: { id: string }) => c.id);
    expect(ids).toContain(caseId);
    for (const c of overdue.body.items)
      expect(c).toMatchObject({ overdue: true, timeLeft: expect.stringMatching(/overdue/) });
    const dues = overdue.body.items.map((c: { dueAt: string }) => Date.parse(c.dueAt));
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
  });

  it('publishes mash.case.deadline.approaching.v1 once when a case nears its deadline, and counts open cases by deadline', async () => {
    const recorder = await new TopicRecorder(Topics.caseDeadlineApproaching).start();
    try {
      // Red, due in 30 minutes: inside the demo matrix's 60 minutes.
      const caseId = await openCase(
        { givenName: 'Near', familyName: 'Deadline', dateOfBirth: '2013-03-03' },
        { receivedAt: new Date(federation.clock.now().getTime() - 3.5 * HOUR).toISOString() },
      );
      const farId = await openCase({
        givenName: 'Far',
        familyName: 'Deadline',
        dateOfBirth: '2013-03-04',
      });
      const watcher = federation.broker.get(DeadlineJob);
      await watcher.tick();
      const event = await eventually(async () =>
        recorder.messages.find((m) => JSON.parse(m.value).caseId === caseId),
      );
      expect(JSON.parse(event.value)).toMatchObject({
        type: 'case.deadline.approaching',
        rag: 'red',
        partnership: 'demo',
      });
      await watcher.tick();
      await watcher.tick();
      await new Promise((r) => setTimeout(r, 2000));
      expect(recorder.messages.filter((m) => JSON.parse(m.value).caseId === caseId)).toHaveLength(
        1,
      );
      expect(recorder.messages.filter((m) => JSON.parse(m.value).caseId === farId)).toHaveLength(0);

      const metrics = await http().get('/metrics').expect(200);
      expect(metrics.text).toMatch(/mash_cases_open\{rag="red",deadline="within"[^}]*\} [1-9]/);
      expect(metrics.text).toMatch(/mash_cases_open\{rag="red",deadline="overdue"[^}]*\} [1-9]/);
    } finally {
      await recorder.stop();
    }
  });

  let deliveredCase: string;
  let deliveredOutcome: string;

  it('feeds an outcome back to every contributing and referring agency, recorded once in each source system and shown delivered', async () => {
    const child = subjects.find((s) => ALL.every((a) => s.knownTo.includes(a)))!;
    const caseId = await openCase(child.subject, { referrer: 'education' });
    const q = await query(caseId);
    const done = await settled(q.id);
    const contributors = done.agencies
      .filter((a) => a.status === 'match')
      .map((a) => a.agency)
      .sort();
    expect(contributors).toEqual([...ALL].sort());

    await http()
      .post(`/api/v1/cases/${caseId}/outcome`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ outcome: 'maybe', rationale: 'x' })
      .expect(status(400));
    const recorded = await http()
      .post(`/api/v1/cases/${caseId}/outcome`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        outcome: 's47-strategy',
        rationale: 'Strategy discussion agreed with police and health today.',
      })
      .expect(status(201));
    deliveredCase = caseId;
    deliveredOutcome = recorded.body.id;
    expect(recorded.body.deliveries.map((d: { agency: string }) => d.agency).sort()).toEqual(
      [...ALL].sort(),
    );
    expect(
      recorded.body.deliveries.find((d: { agency: string }) => d.agency === 'education').roles,
    ).toEqual(['contributed', 'referred']);

    const shown = await eventually(async () => {
      const c = await readCase(caseId);
      return c.outcomes[0].deliveries.every((d: { status: string }) => d.status === 'delivered')
        ? c
        : undefined;
    }, 30_000);
    expect(shown).toMatchObject({
      status: 'closed',
      outcomes: [
        {
          id: deliveredOutcome,
          outcome: 's47-strategy',
          rationale: 'Strategy discussion agreed with police and health today.',
        },
      ],
    });
    expect(shown.retainUntil).toBe(new Date(Date.parse(shown.closedAt) + 90 * DAY).toISOString());
    for (const agency of ALL) {
      expect(await outcomeRows(agency, deliveredOutcome)).toEqual([
        { outcome: 's47-strategy', case_ref: caseId },
      ]);
    }
    // A closed case takes no second outcome and no new query.
    await http()
      .post(`/api/v1/cases/${caseId}/outcome`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ outcome: 'nfa', rationale: 'Second thoughts on the decision.' })
      .expect(status(409));
  }, 90_000);

  let downCase: string;

  it('delivers the outcome to an adapter that was down once it comes back, exactly once', async () => {
    const child = subjects.find(
      (s) => s.knownTo.includes('health') && s.knownTo.includes('police'),
    )!;
    const caseId = await openCase(child.subject, { referrer: 'police' });
    downCase = caseId;
    const done = await settled((await query(caseId, ['police', 'health'])).id);
    expect(done.agencies.map((a) => a.status)).toEqual(['match', 'match']);

    await federation.stopAdapter('health');
    let outcomeId: string;
    try {
      const recorded = await http()
        .post(`/api/v1/cases/${caseId}/outcome`)
        .set('Authorization', `Bearer ${manager}`)
        .send({
          outcome: 'early-help',
          rationale: 'Family agreed to early help through the school.',
        })
        .expect(status(201));
      outcomeId = recorded.body.id;
      await eventually(async () => {
        const c = await readCase(caseId);
        return c.outcomes[0].deliveries.find((d: { agency: string }) => d.agency === 'police')
          .status === 'delivered'
          ? c
          : undefined;
      }, 30_000);
      // Let a few retries go out while health is down.
      await new Promise((r) => setTimeout(r, 4000));
      const whileDown = await readCase(caseId);
      const health = whileDown.outcomes[0].deliveries.find(
        (d: { agency: string }) => d.agency === 'health',
      );
      expect(health.status).toBe('pending');
      expect(health.attempts).toBeGreaterThan(1);
    } finally {
      await federation.startAdapter('health');
    }
    await eventually(async () => {
      const c = await readCase(caseId);
      return c.outcomes[0].deliveries.every((d: { status: string }) => d.status === 'delivered')
        ? c
        : undefined;
    }, 60_000);
    expect(await outcomeRows('health', outcomeId)).toHaveLength(1);
    expect(await outcomeRows('police', outcomeId)).toHaveLength(1);
  }, 120_000);

  it('queues requests beyond an agency’s hourly capacity and releases them red first, then by deadline', async () => {
    const capacity = federation.broker.get(CapacityService);
    const child = subjects.find((s) => s.knownTo.includes('police'))!;
    const filler = await openCase(child.subject);
    await query(filler, ['police']);
    await query(filler, ['police']);

    // Three waiting requests, enqueued green, amber, red.
    const ids: Record<string, string> = {};
    for (const rag of ['green', 'amber', 'red'] as const) {
      const caseId = await openCase(child.subject);
      if (rag !== 'red') {
        await http()
          .post(`/api/v1/cases/${caseId}/rating`)
          .set('Authorization', `Bearer ${manager}`)
          .send({ rag, rationale: `Agreed at triage that this is ${rag}.` })
          .expect(status(200));
      }
      const q = await query(caseId, ['police']);
      expect(q.agencies[0].status).toBe('queued');
      ids[rag] = q.id;
    }
    const statusOf = async (id: string) =>
      (
        await http()
          .get(`/api/v1/queries/${id}`)
          .set('Authorization', `Bearer ${analyst}`)
          .expect(status(200))
      ).body;
    await new Promise((r) => setTimeout(r, 2500));
    for (const id of Object.values(ids))
      expect(await statusOf(id)).toMatchObject({
        status: 'pending',
        agencies: [{ agency: 'police', status: 'queued' }],
      });
    // The analyst sees each request's place and when it should go: two an hour, both used now,
    // so red and amber in an hour and green an hour later.
    const place = async (id: string) => (await statusOf(id)).agencies[0].queue;
    const red = await place(ids.red);
    const last = await place(ids.green);
    expect(red).toMatchObject({ position: 1, waitingFor: expect.stringMatching(/capacity/) });
    expect((await place(ids.amber)).position).toBe(2);
    expect(last.position).toBe(3);
    expect(Date.parse(red.expectedReleaseAt) - federation.clock.now().getTime()).toBeGreaterThan(
      0.9 * HOUR,
    );
    expect(Date.parse(last.expectedReleaseAt) - Date.parse(red.expectedReleaseAt)).toBeGreaterThan(
      0.9 * HOUR,
    );

    // An hour on: two slots free, and they go to red and amber although green waited longest.
    federation.clock.advance(2 * HOUR);
    await eventually(async () =>
      (await statusOf(ids.red)).agencies[0].status !== 'queued' &&
      (await statusOf(ids.amber)).agencies[0].status !== 'queued'
        ? true
        : undefined,
    );
    expect((await statusOf(ids.green)).agencies[0].status).toBe('queued');
    expect((await settled(ids.red)).agencies[0].status).toBe('match');

    federation.clock.advance(2 * HOUR);
    const green = await settled(ids.green);
    expect(green.agencies[0].status).toBe('match');
    expect(capacity.limit('demo', 'police')).toBe(2);
  }, 90_000);

  it('writes a plain-English transparency report, as JSON and printable HTML, leaving out what a manager withheld', async () => {
    const report = (
      await http()
        .get(`/api/v1/cases/${deliveredCase}/transparency-report`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200))
    ).body;
    expect(report.agencies.map((a: { agency: string }) => a.agency).sort()).toEqual(
      [...ALL].sort(),
    );
    const police = report.agencies.find((a: { agency: string }) => a.agency === 'police');
    expect(police.kindsOfInformation.length).toBeGreaterThan(0);
    expect(police.lawfulBasis.map((g: { label: string }) => g.label)).toContain(
      'UK GDPR Art 6(1)(e)',
    );
    expect(report.consent).toMatchObject({
      sought: false,
      text: expect.stringMatching(/not asked for your consent because asking .* significant harm/),
    });
    expect(report.decision.text).toMatch(/strategy discussion/);

    await http()
      .post(`/api/v1/cases/${deliveredCase}/transparency/withhold`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ item: 'agency:police', reason: 'Telling would alert the suspected adult.' })
      .expect(status(403));
    const healthShared = report.agencies
      .find((a: { agency: string }) => a.agency === 'health')
      .kindsOfInformation.map((k: { category: string }) => k.category);
    expect(healthShared.length).toBeGreaterThan(0);
    const hiddenCategory = healthShared[0];
    // A misspelt item would hide nothing: refused, naming what the report has.
    const misspelt = await http()
      .post(`/api/v1/cases/${deliveredCase}/transparency/withhold`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        item: `category:health:${hiddenCategory}s`,
        reason: 'Telling would alert the suspected adult in the household.',
      })
      .expect(status(400));
    expect(misspelt.body).toMatchObject({
      code: 'TRANSPARENCY.UNKNOWN_ITEM',
      message: expect.stringContaining(`category:health:${hiddenCategory}`),
      details: {
        field: 'item',
        validItems: expect.arrayContaining(['agency:police', `category:health:${hiddenCategory}`]),
      },
    });
    for (const item of ['agency:police', 'section:consent', `category:health:${hiddenCategory}`]) {
      await http()
        .post(`/api/v1/cases/${deliveredCase}/transparency/withhold`)
        .set('Authorization', `Bearer ${manager}`)
        .send({ item, reason: 'Telling would alert the suspected adult in the household.' })
        .expect(status(200));
    }
    const json = (
      await http()
        .get(`/api/v1/cases/${deliveredCase}/transparency-report`)
        .set('Authorization', `Bearer ${manager}`)
        .expect(status(200))
    ).body;
    expect(json.agencies.map((a: { agency: string }) => a.agency).sort()).toEqual([
      'education',
      'health',
      'social-care',
    ]);
    expect(json.consent).toBeUndefined();
    expect(JSON.stringify(json)).not.toMatch(/police/i);
    const health = json.agencies.find((a: { agency: string }) => a.agency === 'health');
    expect(health.kindsOfInformation.map((k: { category: string }) => k.category)).toEqual(
      healthShared.slice(1),
    );

    const html = await http()
      .get(`/api/v1/cases/${deliveredCase}/transparency-report`)
      .set('Authorization', `Bearer ${analyst}`)
      .set('Accept', 'text/html')
      .expect(status(200));
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toMatch(/^<!doctype html>/);
    expect(html.text).toContain('Which services were asked');
    expect(html.text).toContain('Health services (the NHS)');
    expect(html.text).not.toMatch(/police/i);
    expect(html.text).not.toContain('Your consent');
    const viaQuery = await http()
      .get(`/api/v1/cases/${deliveredCase}/transparency-report?format=html`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(viaQuery.headers['content-type']).toMatch(/text\/html/);
    expect(viaQuery.text).toBe(html.text);
  });

  it('deletes a closed case’s results and personal data after its retention period, keeping ids and an audit entry with metadata only', async () => {
    const sweeper = federation.broker.get(RetentionJob);
    expect(await sweeper.sweep(new Date(federation.clock.now().getTime() + 89 * DAY))).toBe(0);
    expect((await readCase(downCase)).subject).not.toBeNull();
    expect(
      await sweeper.sweep(new Date(federation.clock.now().getTime() + 91 * DAY)),
    ).toBeGreaterThanOrEqual(2);

    const purged = await readCase(downCase);
    expect(purged).toMatchObject({
      id: downCase,
      subject: null,
      status: 'closed',
      dataDeletedAt: expect.any(String),
    });
    expect(purged.outcomes[0]).toMatchObject({ outcome: 'early-help', rationale: null });
    expect(purged.consent[0]).toMatchObject({ status: 'not-sought', justification: null });
    const queries = new Client({ connectionString: testDatabaseUrl('broker') });
    await queries.connect();
    try {
      const { rows } = await queries.query(
        `SELECT a.agency, a.status, a.records_sealed FROM federated_query_agency a JOIN federated_query q ON q.id = a.query_id WHERE q.case_id = $1`,
        [downCase],
      );
      expect(rows.length).toBe(2);
      for (const row of rows) expect(row).toMatchObject({ status: 'match', records_sealed: null });
      await auditSequenced(queries);
      const audit = await queries.query(
        `SELECT details FROM audit_event WHERE case_id = $1 AND action = 'case.data.deleted'`,
        [downCase],
      );
      expect(audit.rows).toHaveLength(1);
      expect(JSON.stringify(audit.rows[0].details)).not.toMatch(/givenName|familyName|dateOfBirth/);
    } finally {
      await queries.end();
    }
    // The report still says what kinds of information were shared, and that they were deleted.
    const report = (
      await http()
        .get(`/api/v1/cases/${downCase}/transparency-report`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200))
    ).body;
    expect(
      report.agencies.find((a: { agency: string }) => a.agency === 'health').kindsOfInformation
        .length,
    ).toBeGreaterThan(0);
    expect(report.dataRetention).toMatch(/was deleted on/);
  });

  it('gives managers the partnership’s feedback loop: referrals by agency, RAG mix, deadlines, outcomes and re-referrals', async () => {
    const get = async () =>
      (
        await http()
          .get('/api/v1/metrics/partnership')
          .set('Authorization', `Bearer ${manager}`)
          .expect(status(200))
      ).body;
    await http()
      .get('/api/v1/metrics/partnership')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(403));
    const before = await get();
    const subject = { givenName: 'Again', familyName: 'Referred', dateOfBirth: '2012-12-12' };
    await refer({ subject, referrer: { agency: 'health' }, concerns: ['neglect'] });
    await refer({
      subject: { ...subject, givenName: ' again ' },
      referrer: { agency: 'health' },
      concerns: ['neglect'],
    });
    const after = await get();
    expect(after.referrals).toBe(before.referrals + 2);
    expect(after.referralsByAgency.health).toBe((before.referralsByAgency.health ?? 0) + 2);
    expect(after.ragMix.amber).toBe(before.ragMix.amber + 2);
    expect(after.reReferrals.count).toBe(before.reReferrals.count + 1);
    expect(after.outcomesByType).toMatchObject({ 's47-strategy': 1, 'early-help': 1 });
    expect(after.deadlines.decidedOnTime).toBeGreaterThanOrEqual(2);
    expect(after.deadlines.shareWithinDeadline).toBeGreaterThan(0);
    expect(after.deadlines.shareWithinDeadline).toBeLessThan(1);
  });
});
