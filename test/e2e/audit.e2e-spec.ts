import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Pool } from 'pg';
import request from 'supertest';
import { AuditLog } from '@mash/audit';
import { Topics } from '@mash/contracts';
import { AuditCheckpointJob } from '../../apps/broker/src/audit/checkpoint.job';
import { BrokerKeys } from '../../apps/broker/src/keys/broker-keys';
import { tamper } from '../audit/audit-db';
import {
  FailableAuditLog,
  Federation,
  ROOT,
  baseEnv,
  eventually,
  status,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';
import { TopicRecorder } from '../support/kafka';

const ALL = ['police', 'health', 'education', 'social-care'] as const;
const CHECKPOINTS = resolve(ROOT, '.local/test/audit/checkpoints-audit-e2e.jsonl');

interface Entry {
  seq: number;
  chainId: string;
  chainSeq: number;
  partnership: string;
  actorType: string;
  actorId: string;
  action: string;
  outcome: string;
  caseId: string | null;
  queryId: string | null;
  agency: string | null;
  subjectPseudonyms: string[];
  details: Record<string, unknown>;
}

describe('The auditor’s view of the audit log, end to end', () => {
  // A checkpoint file of its own: the test databases are dropped, so checkpoints of earlier runs
  // would (rightly) read as a rewritten log.
  const federation = new Federation(
    baseEnv({ AUDIT_CHECKPOINT_FILE: CHECKPOINTS, AUDIT_CHECKPOINT_INTERVAL_SECONDS: '3600' }),
  );
  let subjects: DemoSubject[];
  let analyst: string;
  let manager: string;
  let auditor: string;
  let db: Pool;
  /** The end-to-end query every test looks at. */
  let story: { caseId: string; queryId: string; child: DemoSubject };

  const http = () => request(federation.http());
  const get = (path: string, token = auditor) =>
    http().get(path).set('Authorization', `Bearer ${token}`);

  const openCase = (subject: DemoSubject['subject']) =>
    federation.openCase(subject, {
      referrer: { agency: 'education', name: 'Designated safeguarding lead' },
      concerns: ['physical-abuse'],
    });

  async function ask(
    caseId: string,
    agencies?: string[],
  ): Promise<{ id: string; agencies: Array<{ agency: string; decision: string }> }> {
    const res = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', ...(agencies ? { agencies } : {}) })
      .expect(status(202));
    return res.body;
  }

  async function events(query: Record<string, string>, token = auditor): Promise<Entry[]> {
    const res = await get(
      `/api/v1/audit/events?${new URLSearchParams({ limit: '1000', order: 'asc', ...query }).toString()}`,
      token,
    ).expect(status(200));
    return res.body.items as Entry[];
  }

  function runAuditCli(args: string[]): Promise<{ code: number; stdout: string }> {
    return new Promise((done) => {
      execFile(
        process.execPath,
        ['-r', '@swc-node/register', 'scripts/audit.ts', ...args],
        { cwd: ROOT, env: { ...process.env, DATABASE_URL: testDatabaseUrl('broker') } },
        (err, stdout) =>
          done({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout }),
      );
    });
  }

  beforeAll(async () => {
    rmSync(CHECKPOINTS, { force: true });
    subjects = await federation.startSeeded();
    analyst = await federation.token('analyst', 'demo', 'test-analyst');
    manager = await federation.token('manager', 'demo', 'test-manager');
    auditor = await federation.token('auditor', 'demo', 'test-auditor');
    db = new Pool({ connectionString: testDatabaseUrl('broker'), max: 2 });

    const child = subjects.find((s) => ALL.every((a) => s.knownTo.includes(a)));
    if (!child) throw new Error('the seed has no child known to all four agencies');
    const caseId = await openCase(child.subject);
    await federation.consentNotSought(caseId);
    const accepted = await ask(caseId);
    await eventually(async () => {
      const res = await get(`/api/v1/queries/${accepted.id}`, analyst).expect(status(200));
      return res.body.status === 'complete' ? res.body : undefined;
    });
    story = { caseId, queryId: accepted.id, child };
  }, 180_000);

  afterAll(async () => {
    const log = federation.broker?.get<AuditLog, FailableAuditLog>(AuditLog);
    if (log) log.failing = false;
    await db?.end();
    await federation.stop();
  });

  it('shows the whole story of a query: request, decisions, dispatches, the agencies’ signed events, answers and the analyst viewing them', async () => {
    // Agency-side events travel over their own topic: wait until every agency's release is in.
    const entries = await eventually(async () => {
      const found = await events({ query: story.queryId });
      const released = new Set(
        found.filter((e) => e.action === 'agency.records.released').map((e) => e.agency),
      );
      return ALL.every((a) => released.has(a)) &&
        found.some((e) => e.action === 'query.results.viewed')
        ? found
        : undefined;
    }, 20_000);
    const one = (action: string, agency?: string) => {
      const matches = entries.filter(
        (e) => e.action === action && (agency === undefined || e.agency === agency),
      );
      expect({ action, agency, count: matches.length }).toEqual({ action, agency, count: 1 });
      return matches[0];
    };

    const requested = one('query.requested');
    expect(requested).toMatchObject({
      actorType: 'user',
      actorId: 'test-analyst',
      caseId: story.caseId,
      outcome: 'success',
    });
    expect(requested.details.caseStatus).toBe('open');
    expect(requested.subjectPseudonyms.length).toBeGreaterThan(0);
    const viewed = entries.filter((e) => e.action === 'query.results.viewed');
    expect(viewed.length).toBeGreaterThan(0);
    expect(viewed[0]).toMatchObject({ actorId: 'test-analyst', caseId: story.caseId });

    for (const agency of ALL) {
      const decision = one('policy.decision', agency);
      expect(decision.outcome).toBe('permit');
      expect(decision.details.reasons).toEqual(expect.arrayContaining([expect.any(String)]));
      expect((decision.details.agreement as { hash: string }).hash).toEqual(expect.any(String));
      const dispatched = one('query.dispatched', agency);
      const searched = one('agency.source.searched', agency);
      const released = one('agency.records.released', agency);
      const received = one('query.answer.received', agency);
      for (const e of [searched, released]) {
        // Signed by the adapter and verified by the broker; placed on the case by the broker.
        expect(e).toMatchObject({ actorType: 'agency', actorId: agency, caseId: story.caseId });
        expect(e.details.signed).toBe(true);
      }
      expect(searched.details.matchStatus).toBe('match');
      expect(received).toMatchObject({ caseId: story.caseId, outcome: 'success' });
      expect(received.details.status).toBe('match');
      // The order a security team reads: asked, decided, sent, searched there, answered, viewed.
      expect(requested.seq).toBeLessThan(decision.seq);
      expect(decision.seq).toBeLessThan(dispatched.seq);
      expect(dispatched.seq).toBeLessThan(searched.seq);
      expect(dispatched.seq).toBeLessThan(received.seq);
      expect(received.seq).toBeLessThan(viewed[viewed.length - 1].seq);
    }

    // The same story by case, and by the child's pseudonym computed from name and date of birth.
    const byCase = await events({ case: story.caseId });
    expect(byCase.map((e) => e.seq)).toEqual(expect.arrayContaining(entries.map((e) => e.seq)));
    const { givenName, familyName, dateOfBirth } = story.child.subject;
    const tokens = await http()
      .post('/api/v1/audit/pseudonym')
      .set('Authorization', `Bearer ${auditor}`)
      .send({ givenName, familyName, dateOfBirth })
      .expect(status(200));
    expect(tokens.body.tokens).toEqual(expect.arrayContaining([tokens.body.nameDob]));
    const bySubject = await events({ subject: tokens.body.nameDob as string });
    expect(bySubject.map((e) => e.action)).toEqual(
      expect.arrayContaining([
        'case.opened',
        'query.requested',
        'policy.decision',
        'query.dispatched',
      ]),
    );
    const report = await get(
      `/api/v1/audit/reports/subject-accesses?subject=${tokens.body.nameDob as string}`,
    ).expect(status(200));
    expect((report.body.items as Entry[]).some((e) => e.seq === requested.seq)).toBe(true);
  });

  it('answers “who looked at this child”: every view, release and report of the child’s data, with who and when', async () => {
    await get(`/api/v1/cases/${story.caseId}`, manager).expect(status(200));
    await get(`/api/v1/cases/${story.caseId}/transparency-report`, manager).expect(status(200));
    const { givenName, familyName, dateOfBirth } = story.child.subject;
    const tokens = await http()
      .post('/api/v1/audit/pseudonym')
      .set('Authorization', `Bearer ${auditor}`)
      .send({ givenName, familyName, dateOfBirth })
      .expect(status(200));
    const wanted = (items: Entry[]) => [
      items.find((e) => e.action === 'case.viewed' && e.actorId === 'test-manager'),
      items.find((e) => e.action === 'query.results.viewed' && e.actorId === 'test-analyst'),
      items.find(
        (e) => e.action === 'transparency.report.generated' && e.actorId === 'test-manager',
      ),
      ...ALL.map((agency) =>
        items.find((e) => e.action === 'agency.records.released' && e.actorId === agency),
      ),
    ];
    const items = await eventually(async () => {
      const res = await get(
        `/api/v1/audit/reports/subject-accesses?subject=${tokens.body.nameDob as string}`,
      ).expect(status(200));
      const found = res.body.items as Array<Entry & { occurredAt: string }>;
      return wanted(found).every((e) => e !== undefined) ? found : undefined;
    });
    for (const e of wanted(items)) {
      expect(e).toMatchObject({ caseId: story.caseId, occurredAt: expect.any(String) });
      expect(e?.subjectPseudonyms).toContain(tokens.body.nameDob);
    }
  });

  it('records the request’s correlation id on case, query and failed sign-in events, so an error can be traced', async () => {
    const traced = (n: number) => `e2e-trace-${n}-${Date.now()}`;
    const opened = traced(1);
    const res = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .set('x-correlation-id', opened)
      .send({
        subject: story.child.subject,
        referrer: { agency: 'education' },
        concerns: ['neglect'],
      })
      .expect(status(201));
    expect((await events({ correlation: opened })).map((e) => e.action)).toContain('case.opened');
    await federation.consentNotSought(res.body.id as string);
    const asked = traced(2);
    await http()
      .post(`/api/v1/cases/${res.body.id as string}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .set('x-correlation-id', asked)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    expect((await events({ correlation: asked })).map((e) => e.action)).toEqual(
      expect.arrayContaining(['query.requested', 'policy.decision']),
    );

    // A refused token naming the partnership: its auditor finds it by action and by the
    // correlation id the 401 carried, through the API and the CLI export.
    const claims = Buffer.from(
      JSON.stringify({ sub: 'someone', partnership: 'demo', roles: ['analyst'] }),
    ).toString('base64url');
    const refusedId = traced(3);
    const refused = await http()
      .get('/api/v1/cases')
      .set('Authorization', `Bearer eyJhbGciOiJub25lIn0.${claims}.`)
      .set('x-correlation-id', refusedId)
      .expect(status(401));
    expect(refused.body.correlationId).toBe(refusedId);
    const failed = await eventually(async () => {
      const found = await events({ action: 'auth.failed', correlation: refusedId });
      return found.length > 0 ? found : undefined;
    });
    expect(failed).toEqual([
      expect.objectContaining({
        partnership: 'demo',
        actorId: 'anonymous',
        outcome: 'failure',
        details: expect.objectContaining({ code: refused.body.code, partnershipClaimed: true }),
      }),
    ]);
    const exported = await runAuditCli([
      'export',
      '--partnership',
      'demo',
      '--action',
      'auth.failed',
    ]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(refusedId);
    const cliExports = await events({ action: 'audit.exported' });
    expect(cliExports.some((e) => e.actorId.startsWith('cli:') && e.details.via === 'cli')).toBe(
      true,
    );
  });

  it('verifies the log intact against checkpoints in the database, the file and on Kafka', async () => {
    const published = await new TopicRecorder(Topics.auditCheckpoint).start();
    try {
      const written = await federation.broker.get(AuditCheckpointJob).checkpointNow();
      expect(written.map((c) => c.chainId)).toContain('demo');
      const onKafka = await eventually(async () =>
        published.messages.find((m) => m.key === 'demo'),
      );
      expect(JSON.parse(onKafka.value)).toMatchObject({
        type: 'audit.checkpoint',
        chainId: 'demo',
        signature: written.find((c) => c.chainId === 'demo')?.signature,
      });
    } finally {
      await published.stop();
    }
    const res = await get('/api/v1/audit/verify').expect(status(200));
    expect(res.body).toMatchObject({ ok: true, chainId: 'demo' });
    expect(res.body.checked).toBeGreaterThan(20);
    expect(res.body.checkpointSources).toMatchObject({ file: 'read' });
    expect(res.body.checkpointSources.fileCheckpoints).toBeGreaterThan(0);
    expect(res.body.checkpointsChecked).toBeGreaterThanOrEqual(2);
    expect(res.body.firstFailure).toBeUndefined();

    // The auditor's own searches and verifications are in the log too.
    const own = await events({ actor: 'test-auditor' });
    expect(new Set(own.map((e) => e.action))).toEqual(
      new Set([
        'audit.searched',
        'audit.pseudonym.computed',
        'audit.report.viewed',
        'audit.verified',
      ]),
    );
    const computed = own.find((e) => e.action === 'audit.pseudonym.computed');
    expect(JSON.stringify(computed)).not.toContain(story.child.subject.familyName);
  });

  it('proves the analyst’s view of the child is under a signed head, and that head consistent with the next', async () => {
    const [viewed] = await events({ query: story.queryId, action: 'query.results.viewed' });
    const scheduler = federation.broker.get(AuditCheckpointJob);
    await scheduler.checkpointNow();
    const inclusion = await get(
      `/api/v1/audit/proofs/inclusion?position=${viewed.chainSeq}`,
    ).expect(status(200));
    expect(inclusion.body).toMatchObject({
      chainId: 'demo',
      chainSeq: viewed.chainSeq,
      verified: true,
    });
    expect(inclusion.body.checkpoint).toMatchObject({ chainSeq: inclusion.body.treeSize });

    await events({ actor: 'test-analyst' }); // more activity (the search itself), then a new head
    await scheduler.checkpointNow();
    const consistency = await get(
      `/api/v1/audit/proofs/consistency?from=${inclusion.body.treeSize}`,
    ).expect(status(200));
    expect(consistency.body.secondSize).toBeGreaterThan(inclusion.body.treeSize);
    expect(consistency.body).toMatchObject({
      firstRoot: inclusion.body.checkpoint.rootHash,
      verified: true,
    });

    // What the auditor does with them, with nothing but the published checkpoint key.
    const dir = resolve(ROOT, '.local/test/audit/proofs');
    mkdirSync(dir, { recursive: true });
    const keysFile = resolve(dir, 'checkpoint-keys.json');
    writeFileSync(
      keysFile,
      JSON.stringify(federation.broker.get(BrokerKeys).auditVerificationJwks()),
    );
    for (const [name, body] of [
      ['inclusion', inclusion.body],
      ['consistency', consistency.body],
    ] as const) {
      writeFileSync(resolve(dir, `${name}.json`), JSON.stringify(body));
      const checked = await runAuditCli([
        'check-proof',
        resolve(dir, `${name}.json`),
        '--public-keys',
        keysFile,
      ]);
      expect(checked).toMatchObject({ code: 0 });
    }
    // A proof for another entry's hash does not hold.
    writeFileSync(
      resolve(dir, 'forged.json'),
      JSON.stringify({ ...inclusion.body, entryHash: consistency.body.secondRoot }),
    );
    expect(
      await runAuditCli(['check-proof', resolve(dir, 'forged.json'), '--public-keys', keysFile]),
    ).toMatchObject({
      code: 1,
    });

    const refused = await get('/api/v1/audit/proofs/inclusion?position=999999999').expect(
      status(400),
    );
    expect(refused.body.code).toBe('AUDIT.INVALID_QUERY');
    await get(`/api/v1/audit/proofs/inclusion?position=1`, analyst).expect(status(403));
  });

  it('shows an auditor of another partnership none of it, and refuses other roles', async () => {
    const outsider = await federation.token('auditor', 'other', 'auditor-b');
    expect(await events({ query: story.queryId }, outsider)).toEqual([]);
    expect(await events({ case: story.caseId }, outsider)).toEqual([]);
    const everything = await events({}, outsider);
    expect(everything.filter((e) => e.partnership !== 'other')).toEqual([]);
    const verified = await get('/api/v1/audit/verify', outsider).expect(status(200));
    expect(verified.body.chainId).toBe('other');
    const forbidden = await get('/api/v1/audit/events', analyst).expect(status(403));
    expect(forbidden.body.code).toBe('AUTH.FORBIDDEN');
  });

  it('exports the filtered events as JSON Lines and as CSV', async () => {
    const page = await events({ query: story.queryId });
    const jsonl = await get(`/api/v1/audit/events?format=jsonl&query=${story.queryId}`)
      .buffer(true)
      .expect(status(200));
    expect(jsonl.headers['content-type']).toMatch(/^application\/x-ndjson/);
    expect(jsonl.headers['content-disposition']).toMatch(
      /^attachment; filename="audit-demo-.*\.jsonl"$/,
    );
    const lines = jsonl.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Entry);
    expect(lines.map((l) => l.seq)).toEqual(page.map((e) => e.seq));

    const csv = await get(`/api/v1/audit/events?format=csv&query=${story.queryId}`)
      .buffer(true)
      .expect(status(200));
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const rows = csv.text.trim().split('\n');
    expect(rows[0]).toMatch(/^seq,chain_id,chain_seq,occurred_at,partnership,actor_type,actor_id/);
    expect(rows.slice(1).map((r) => Number(r.split(',')[0]))).toEqual(page.map((e) => e.seq));

    const exports = await events({ actor: 'test-auditor', action: 'audit.exported' });
    expect(exports.map((e) => e.details.format)).toEqual(['jsonl', 'csv']);
  });

  it('pages with a cursor and refuses invalid filters', async () => {
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/api/v1/audit/events?case=${story.caseId}&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
      ).expect(status(200));
      seen.push(...(res.body.items as Entry[]).map((e) => e.seq));
      cursor = res.body.nextCursor as string | null;
    } while (cursor);
    // Newest first by default; every entry there when paging began, exactly once (each search is
    // itself recorded on the case, after the page it returned).
    const all = await events({ case: story.caseId });
    expect(seen).toEqual(
      all
        .map((e) => e.seq)
        .filter((s) => s <= seen[0])
        .reverse(),
    );
    expect(
      (await get('/api/v1/audit/events?cursor=not-a-cursor').expect(status(400))).body.code,
    ).toBe('AUDIT.INVALID_QUERY');
    expect((await get('/api/v1/audit/events?outcome=maybe').expect(status(400))).body.code).toBe(
      'REQUEST.INVALID',
    );
    expect((await get('/api/v1/audit/events?partnership=demo').expect(status(400))).body.code).toBe(
      'REQUEST.INVALID',
    );
  });

  it('reports denied-then-retried, access with no open case, unusual volume and out-of-hours access', async () => {
    const child = subjects.find((s) => s.knownTo.includes('health') && s !== story.child)!;
    const caseId = await openCase(child.subject);
    // No consent decision yet: every agreement denies. The analyst records one and asks again.
    const denied = await ask(caseId, ['health']);
    expect(denied.agencies[0].decision).toBe('deny');
    await federation.consentNotSought(caseId);
    const retried = await ask(caseId, ['health']);
    const retries = await get('/api/v1/audit/reports/denied-then-retried').expect(status(200));
    expect(retries.body.items).toEqual([
      expect.objectContaining({
        actorId: 'test-analyst',
        caseId,
        retry: expect.objectContaining({ action: 'query.requested', queryId: retried.id }),
      }),
    ]);

    // The case is closed; the analyst then opens the released records of the earlier query.
    await db.query(`UPDATE mash_case SET status = 'closed', closed_at = now() WHERE id = $1`, [
      story.caseId,
    ]);
    try {
      await get(`/api/v1/queries/${story.queryId}`, analyst).expect(status(200));
    } finally {
      await db.query(`UPDATE mash_case SET status = 'open', closed_at = NULL WHERE id = $1`, [
        story.caseId,
      ]);
    }
    const noCase = await get('/api/v1/audit/reports/no-open-case').expect(status(200));
    expect(noCase.body.items).toEqual([
      expect.objectContaining({
        action: 'query.results.viewed',
        caseId: story.caseId,
        details: expect.objectContaining({ caseStatus: 'closed' }),
      }),
    ]);

    const volume = await get('/api/v1/audit/reports/unusual-volume?threshold=3').expect(
      status(200),
    );
    expect(volume.body.items).toEqual(
      expect.arrayContaining([expect.objectContaining({ actorId: 'test-analyst' })]),
    );
    expect(
      (await get('/api/v1/audit/reports/unusual-volume?threshold=100000').expect(status(200))).body
        .items,
    ).toEqual([]);

    // A one-minute working day at midnight: today's work is out of hours.
    const late = await get(
      '/api/v1/audit/reports/out-of-hours?workdayStart=00:00&workdayEnd=00:01',
    ).expect(status(200));
    expect(
      (late.body.items as Entry[]).some(
        (e) => e.action === 'query.requested' && e.queryId === retried.id,
      ),
    ).toBe(true);
    expect((await get('/api/v1/audit/reports/not-a-report').expect(status(400))).body.code).toBe(
      'REQUEST.INVALID',
    );
  });

  it('fails closed: with audit writes failing, no query is stored or sent, results are not shown and searches stop', async () => {
    const child = subjects.find((s) => s.knownTo.includes('police') && s !== story.child)!;
    const caseId = await openCase(child.subject);
    await federation.consentNotSought(caseId);
    const recorders = await Promise.all(
      ALL.map((a) => new TopicRecorder(Topics.queryRequested(a)).start()),
    );
    const log = federation.broker.get<AuditLog, FailableAuditLog>(AuditLog);
    log.failing = true;
    try {
      const refused = await http()
        .post(`/api/v1/cases/${caseId}/queries`)
        .set('Authorization', `Bearer ${analyst}`)
        .send({ purpose: 'mash-triage' })
        .expect(status(503));
      expect(refused.body.code).toBe('AUDIT.UNAVAILABLE');
      const shown = await get(`/api/v1/queries/${story.queryId}`, analyst).expect(status(503));
      expect(shown.body.code).toBe('AUDIT.UNAVAILABLE');
      expect(shown.body.agencies).toBeUndefined();
      expect((await get('/api/v1/audit/events').expect(status(503))).body.code).toBe(
        'AUDIT.UNAVAILABLE',
      );
      const { rows } = await db.query<{ n: string }>(
        'SELECT count(*)::text AS n FROM federated_query WHERE case_id = $1',
        [caseId],
      );
      expect(rows[0].n).toBe('0');
      // Give a dispatch every chance to show up before concluding none was sent.
      await new Promise((r) => setTimeout(r, 3000));
      expect(recorders.flatMap((r) => r.messages)).toEqual([]);
    } finally {
      log.failing = false;
      await Promise.all(recorders.map((r) => r.stop()));
    }
    // Once the log is writable again the same request goes through.
    await ask(caseId, ['police']);
  });

  it('names the first entry that fails verification after a superuser edits a row, and is intact again once restored', async () => {
    const [target] = (
      await db.query<{ seq: string; chain_seq: string; details: unknown }>(
        `SELECT seq::text, chain_seq::text, details FROM audit_event WHERE query_id = $1 AND action = 'query.requested'`,
        [story.queryId],
      )
    ).rows;
    const original = JSON.stringify(target.details);
    await tamper(
      db,
      `UPDATE audit_event SET details = jsonb_set(details, '{purpose}', '"s47-enquiry"') WHERE seq = $1`,
      [target.seq],
    );
    try {
      const broken = await get('/api/v1/audit/verify').expect(status(200));
      expect(broken.body.ok).toBe(false);
      expect(broken.body.firstFailure).toMatchObject({
        seq: Number(target.seq),
        chainId: 'demo',
        chainSeq: Number(target.chain_seq),
        reason: 'hash-mismatch',
        entry: expect.objectContaining({ action: 'query.requested', actorId: 'test-analyst' }),
      });
      expect(broken.body.firstFailure.explanation).toMatch(/changed after it was written/);
      // A range that ends before the edited entry is still intact.
      const before = await get(
        `/api/v1/audit/verify?from=1&to=${Number(target.chain_seq) - 1}`,
      ).expect(status(200));
      expect(before.body).toMatchObject({ ok: true, checked: Number(target.chain_seq) - 1 });
      const failed = await events({
        actor: 'test-auditor',
        action: 'audit.verified',
        outcome: 'failure',
      });
      expect(failed.length).toBeGreaterThan(0);
    } finally {
      await tamper(db, `UPDATE audit_event SET details = $2::jsonb WHERE seq = $1`, [
        target.seq,
        original,
      ]);
    }
    expect((await get('/api/v1/audit/verify').expect(status(200))).body.ok).toBe(true);
  });
});
