/**
 * Threshold matrices the partnership changes and compares (issue 13, item 8), through HTTP and
 * PostgreSQL: the committed file seeds version 1; a manager drafts version 2 as YAML; the drafter
 * cannot activate it; a second manager activates it from tomorrow (London); a referral today is
 * rated by version 1 and one tomorrow by version 2, and each case keeps its version; the two
 * versions, a regional baseline and another partnership's published matrix are compared; and the
 * consistency measure counts a re-rating and the queries an agency received.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import type { Agency } from '@mash/contracts';
import {
  Federation,
  ROOT,
  auditSequenced,
  dropDatabases,
  seedSources,
  status,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];
const DAY = 24 * 60 * 60 * 1000;
const DEMO_YAML = readFileSync(resolve(ROOT, 'deploy/thresholds/demo.yaml'), 'utf8');

/** The demo matrix as version 2 from 2 December 2026, grading neglect as child protection, red. */
function version2(): string {
  let yaml = DEMO_YAML;
  for (const [from, to] of [
    ['version: 1', 'version: 2'],
    ["effectiveFrom: '2024-01-01'", "effectiveFrom: '2026-12-02'"],
    [
      'neglect: { label: Neglect, level: 3, rag: amber }',
      'neglect: { label: Neglect, level: 4, rag: red }',
    ],
  ]) {
    if (!yaml.includes(from)) throw new Error(`demo matrix changed shape: ${from} not found`);
    yaml = yaml.replace(from, to);
  }
  return yaml;
}

describe('Threshold matrices: versions, comparison and consistency', () => {
  const federation = new Federation();
  let db: Client;
  let subjects: DemoSubject[];
  let analyst: string;
  let managerAnn: string;
  let managerBob: string;
  let auditor: string;

  beforeAll(async () => {
    await dropDatabases(['broker', ...ALL]);
    subjects = seedSources();
    await federation.start();
    analyst = await federation.token('analyst');
    managerAnn = await federation.token('manager', 'demo', 'manager-ann');
    managerBob = await federation.token('manager', 'demo', 'manager-bob');
    auditor = await federation.token('auditor');
    db = new Client({ connectionString: testDatabaseUrl('broker') });
    await db.connect();
  }, 240_000);

  afterAll(async () => {
    await db?.end();
    await federation.stop();
  });

  const http = () => request(federation.http());
  const caseVersion = async (id: string) =>
    (await db.query('SELECT threshold_version FROM mash_case WHERE id = $1', [id])).rows[0]
      ?.threshold_version as number;

  it('seeds version 1 from the committed file and lists it in force, with the baselines', async () => {
    const res = await http()
      .get('/api/v1/thresholds')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(res.body).toMatchObject({
      partnership: 'demo',
      published: false,
      inForce: 1,
      baselines: ['regional'],
      versions: [{ version: 1, status: 'in-force', source: 'file:demo.yaml', createdBy: 'broker' }],
    });
  });

  it('refuses a draft that breaks the matrix schema, naming the path, and an analyst drafting', async () => {
    const bad = await http()
      .post('/api/v1/thresholds')
      .set('Authorization', `Bearer ${managerAnn}`)
      .set('Content-Type', 'application/yaml')
      .send(
        version2().replace(
          'neglect: { label: Neglect, level: 4',
          'neglect: { label: Neglect, level: 7',
        ),
      )
      .expect(status(400));
    expect(bad.body).toMatchObject({ code: 'THRESHOLD.INVALID_MATRIX' });
    expect(bad.body.message).toContain('concerns.neglect.level');
    expect(bad.body.details.problems).toEqual([
      expect.objectContaining({ field: 'concerns.neglect.level' }),
    ]);
    await http()
      .post('/api/v1/thresholds')
      .set('Authorization', `Bearer ${analyst}`)
      .set('Content-Type', 'application/yaml')
      .send(version2())
      .expect(status(403));
  });

  it('drafts version 2; the drafter cannot activate it; a second manager activates it from tomorrow', async () => {
    const draft = await http()
      .post('/api/v1/thresholds')
      .set('Authorization', `Bearer ${managerAnn}`)
      .set('Content-Type', 'application/yaml')
      .send(version2())
      .expect(status(201));
    expect(draft.body).toMatchObject({ version: 2, status: 'draft', createdBy: 'manager-ann' });

    const self = await http()
      .post('/api/v1/thresholds/2/activate')
      .set('Authorization', `Bearer ${managerAnn}`)
      .expect(status(403));
    expect(self.body.code).toBe('THRESHOLD.SECOND_MANAGER_REQUIRED');

    // Referrals already rated keep their version: a new one cannot start in the past.
    const early = await http()
      .post('/api/v1/thresholds/2/activate')
      .set('Authorization', `Bearer ${managerBob}`)
      .send({ effectiveFrom: '2026-11-30' })
      .expect(status(409));
    expect(early.body.code).toBe('THRESHOLD.EFFECTIVE_TOO_EARLY');

    const activated = await http()
      .post('/api/v1/thresholds/2/activate')
      .set('Authorization', `Bearer ${managerBob}`)
      .send({ effectiveFrom: '2026-12-02' })
      .expect(status(200));
    expect(activated.body).toMatchObject({
      version: 2,
      status: 'scheduled',
      effectiveFrom: '2026-12-02',
      activatedBy: 'manager-bob',
      content: { effectiveFrom: '2026-12-02', concerns: { neglect: { level: 4, rag: 'red' } } },
    });
    const again = await http()
      .post('/api/v1/thresholds/2/activate')
      .set('Authorization', `Bearer ${managerBob}`)
      .expect(status(409));
    expect(again.body.code).toBe('THRESHOLD.NOT_DRAFT');
  });

  let todayCase: string;
  let tomorrowCase: string;

  it('rates a referral today by version 1 and one tomorrow (London) by version 2', async () => {
    // Today, 1 December: version 1 grades neglect amber, level 3. Consent is recorded so the case can be queried.
    todayCase = await federation.openCaseWithoutConsent(subjects[0].subject, {
      referrer: { agency: 'education' },
      concerns: ['neglect'],
    });
    const today = await http()
      .get(`/api/v1/cases/${todayCase}`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(today.body).toMatchObject({ level: 3, rag: 'amber' });
    expect(await caseVersion(todayCase)).toBe(1);

    federation.clock.advance(DAY); // 2 December, 10:00 London
    const tomorrow = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: subjects[1].subject,
        referrer: { agency: 'health' },
        concerns: ['neglect'],
      })
      .expect(status(201));
    tomorrowCase = tomorrow.body.id as string;
    expect(tomorrow.body).toMatchObject({ level: 4, rag: 'red' });
    expect(await caseVersion(tomorrowCase)).toBe(2);

    // Entered on the 2nd but received on the 1st: rated by the version in force when received.
    const late = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: subjects[2].subject,
        referrer: { agency: 'police' },
        concerns: ['neglect'],
        receivedAt: '2026-12-01T16:00:00Z',
      })
      .expect(status(201));
    expect(late.body).toMatchObject({ level: 3, rag: 'amber' });
    expect(await caseVersion(late.body.id as string)).toBe(1);

    const list = await http()
      .get('/api/v1/thresholds')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(list.body.inForce).toBe(2);
    expect(list.body.versions.map((v: { status: string }) => v.status)).toEqual([
      'in-force',
      'superseded',
    ]);
  });

  it('compares two versions, a regional baseline and a published partnership side by side', async () => {
    const versions = await http()
      .get('/api/v1/thresholds/compare?left=1&right=2')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    const neglect = versions.body.concerns.find((c: { code: string }) => c.code === 'neglect');
    expect(neglect).toMatchObject({
      status: 'different',
      differences: ['level', 'rag', 'deadline'],
      left: { level: 3, rag: 'amber', deadline: { hours: 24, clock: 'working' } },
      right: { level: 4, rag: 'red', deadline: { hours: 4, clock: 'elapsed' } },
    });
    expect(versions.body.summary).toMatchObject({ different: 1, 'only-left': 0, 'only-right': 0 });

    const baseline = await http()
      .get('/api/v1/thresholds/compare?left=current&right=baseline:regional')
      .set('Authorization', `Bearer ${managerAnn}`)
      .expect(status(200));
    const byCode = new Map(
      (baseline.body.concerns as Array<{ code: string }>).map((c) => [c.code, c]),
    );
    expect(baseline.body.left).toMatchObject({ kind: 'current', version: 2 });
    expect(byCode.get('domestic-abuse')).toMatchObject({
      status: 'different',
      differences: ['rag', 'deadline'],
      moreUrgent: 'right',
    });
    expect(byCode.get('young-carer')).toMatchObject({ status: 'only-right', left: null });
    expect(byCode.get('universal-advice')).toMatchObject({ status: 'only-left', right: null });

    // Another partnership's matrix only once it publishes it.
    const refused = await http()
      .get('/api/v1/thresholds/compare?left=current&right=partnership:north')
      .set('Authorization', `Bearer ${managerAnn}`)
      .expect(status(403));
    expect(refused.body.code).toBe('THRESHOLD.NOT_PUBLISHED');
    const north = await federation.token('manager', 'north', 'manager-north');
    await http()
      .put('/api/v1/thresholds/publication')
      .set('Authorization', `Bearer ${north}`)
      .send({ published: true })
      .expect(status(200));
    const published = await http()
      .get('/api/v1/thresholds/compare?left=current&right=partnership:north')
      .set('Authorization', `Bearer ${managerAnn}`)
      .expect(status(200));
    expect(published.body.right).toMatchObject({ kind: 'partnership', partnership: 'north' });
    // North started from the demo file (version 1): neglect differs from demo's version 2.
    expect(published.body.summary.different).toBe(1);

    const malformed = await http()
      .get('/api/v1/thresholds/compare?left=latest&right=2')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(400));
    expect(malformed.body.message).toContain('left');
  });

  it('counts a changed first rating by concern and analyst, and what each agency was asked against its capacity', async () => {
    await http()
      .post(`/api/v1/cases/${todayCase}/rating`)
      .set('Authorization', `Bearer ${managerAnn}`)
      .send({ rag: 'red', rationale: 'Neglect is now graded red across the partnership.' })
      .expect(status(200));
    await http()
      .post(`/api/v1/cases/${todayCase}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));

    const res = await http()
      .get('/api/v1/thresholds/consistency?from=2026-12-01&to=2026-12-02')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(res.body).toMatchObject({
      period: { from: '2026-12-01', to: '2026-12-02', timeZone: 'Europe/London' },
      overall: { rated: 3, rerated: 1, raised: 1, lowered: 0, rate: 0.333 },
      byConcern: [{ concern: 'neglect', rated: 3, rerated: 1, raised: 1 }],
      byAnalyst: [{ you: true, rated: 3, rerated: 1 }],
    });
    expect(res.body.byAnalyst[0].analyst).toMatch(/^staff-[0-9a-f]{10}$/);
    expect(res.body.agencies.find((a: { agency: string }) => a.agency === 'police')).toMatchObject({
      asked: 1,
      busiestHour: 1,
      queriesPerHour: 120,
      capacityInPeriod: 120 * 48,
    });
    // Counts only: no staff id and nothing about the children.
    const text = JSON.stringify(res.body);
    for (const secret of ['test-analyst', ...subjects.slice(0, 3).map((s) => s.subject.familyName)])
      expect(text).not.toContain(secret);

    const managers = await http()
      .get('/api/v1/thresholds/consistency?from=2026-12-01&to=2026-12-02')
      .set('Authorization', `Bearer ${managerAnn}`)
      .expect(status(200));
    // The same pseudonym for the same analyst, whoever asks; only the caller's own row is marked.
    expect(managers.body.byAnalyst).toEqual([expect.not.objectContaining({ you: true })]);
    expect(managers.body.byAnalyst[0].analyst).toBe(res.body.byAnalyst[0].analyst);

    await http()
      .get('/api/v1/thresholds/consistency?from=2026-12-03&to=2026-12-01')
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(400));
  });

  it('audits every draft, refusal, activation, comparison and consistency report', async () => {
    await auditSequenced(db);
    const rows = (
      await db.query<{ action: string; outcome: string; actor_id: string }>(
        `SELECT action, outcome, actor_id FROM audit_event WHERE action LIKE 'threshold.%' ORDER BY seq`,
      )
    ).rows.map((r) => `${r.action} ${r.outcome} ${r.actor_id}`);
    expect(rows).toEqual(
      expect.arrayContaining([
        'threshold.seeded success broker',
        'threshold.drafted success manager-ann',
        'threshold.activation-refused deny manager-ann',
        'threshold.activated success manager-bob',
        'threshold.compared success test-analyst',
        'threshold.publication-changed success manager-north',
        'threshold.consistency-viewed success test-analyst',
      ]),
    );
    // The auditor reads the same through the API.
    await http()
      .get('/api/v1/audit/events?action=threshold.*')
      .set('Authorization', `Bearer ${auditor}`)
      .expect(status(200));
  });
});
