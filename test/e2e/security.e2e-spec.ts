/**
 * Issue 17, attacked the way an attacker would come: over Kafka as a compromised adapter or anyone
 * able to write a topic, over HTTP as a user or outsider, and as an operator rotating keys. Each
 * test names the finding it covers and fails on the code before the fix.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Client } from 'pg';
import { Headers, Topics, type Agency } from '@mash/contracts';
import { FileKeyRingStore } from '@mash/trust';
import { AuditCheckpointJob } from '../../apps/broker/src/audit/checkpoint.job';
import { RetentionJob } from '../../apps/broker/src/cases/retention.job';
import {
  adapterStoreUrl,
  auditSequenced,
  Federation,
  seededFederation,
  ROOT,
  TEST_KEYS_DIR,
  baseEnv,
  eventually,
  status,
  testDatabaseUrl,
} from '../support/federation';
import { TopicRecorder, publishRaw } from '../support/kafka';
import { agencyAuditEvent, forgeAnswer, forgeOutcome, publishMessage } from '../support/forge';

const HOUR = 60 * 60 * 1000;
const CHECKPOINTS = resolve(ROOT, '.local/test/audit/checkpoints-security-e2e.jsonl');

/** The demo matrix with education limited to one query an hour, so a request can be queued. */
function thresholdsDir(): string {
  const dir = resolve(ROOT, '.local/test/thresholds-security');
  mkdirSync(dir, { recursive: true });
  const demo = readFileSync(resolve(ROOT, 'deploy/thresholds/demo.yaml'), 'utf8');
  const tight = demo.replace(
    'education: { queriesPerHour: 120 }',
    'education: { queriesPerHour: 1 }',
  );
  if (tight === demo) throw new Error('demo matrix changed shape: education capacity not found');
  writeFileSync(resolve(dir, 'demo.yaml'), tight);
  return dir;
}

describe('Security hardening (issue 17)', () => {
  rmSync(CHECKPOINTS, { force: true });
  const { federation, subjects } = seededFederation(
    new Federation(
      baseEnv({
        THRESHOLDS_DIR: thresholdsDir(),
        AUDIT_CHECKPOINT_FILE: CHECKPOINTS,
        AUDIT_CHECKPOINT_INTERVAL_SECONDS: '3600',
        // Loopback is not the operator network here, so /metrics must refuse this test.
        METRICS_ALLOW: '192.0.2.0/24',
        RATE_LIMIT_PER_WINDOW: '60',
        RATE_LIMIT_WINDOW_SECONDS: '2',
      }),
    ),
  );
  let analyst: string;
  let manager: string;
  let auditor: string;
  let brokerDb: Client;
  let policeDb: Client;

  beforeAll(async () => {
    analyst = await federation.token('analyst');
    manager = await federation.token('manager', 'demo', 'test-manager');
    auditor = await federation.token('auditor', 'demo', 'test-auditor');
    brokerDb = new Client({ connectionString: testDatabaseUrl('broker') });
    policeDb = new Client({ connectionString: adapterStoreUrl('police') });
    await Promise.all([brokerDb.connect(), policeDb.connect()]);
  });

  afterAll(async () => {
    await brokerDb?.end();
    await policeDb?.end();
  });

  const http = () => request(federation.http());
  const childKnownTo = (agency: Agency) =>
    subjects.find((s) => s.knownTo.includes(agency))!.subject;

  const openCase = (agency: Agency): Promise<string> =>
    federation.openCaseWithoutConsent(childKnownTo(agency), {
      referrer: { agency: 'health' },
      concerns: ['physical-abuse'],
    });

  async function ask(
    caseId: string,
    agencies: Agency[],
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; agencies: Array<{ agency: string; status: string }> }> {
    const res = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies, ...extra })
      .expect(status(202));
    return res.body;
  }

  async function part(queryId: string, agency: Agency) {
    const res = await brokerDb.query<{
      status: string;
      records_sealed: string | null;
      request_hash: string | null;
    }>(
      `SELECT status, records_sealed, request_hash FROM federated_query_agency WHERE query_id = $1 AND agency = $2`,
      [queryId, agency],
    );
    return res.rows[0];
  }

  async function settled(queryId: string, agency: Agency): Promise<string> {
    return eventually(async () => {
      const p = await part(queryId, agency);
      return p && !['pending', 'queued'].includes(p.status) ? p.status : undefined;
    });
  }

  async function auditRows(where: string, params: unknown[]) {
    await auditSequenced(brokerDb);
    return (
      await brokerDb.query<{ action: string; details: Record<string, unknown> }>(
        `SELECT action, details FROM audit_event WHERE ${where} ORDER BY seq`,
        params,
      )
    ).rows;
  }

  const agencyEvent = (marker: string, extra: Record<string, unknown> = {}) => ({
    agency: 'police',
    partnership: 'demo',
    action: 'agency.source.searched',
    outcome: 'success',
    details: { marker },
    occurredAt: new Date().toISOString(),
    ...extra,
  });

  async function publishAudit(event: { messageId: string; type: string }): Promise<void> {
    await publishRaw(Topics.audit, JSON.stringify(event), {
      [Headers.messageId]: event.messageId,
      [Headers.messageType]: event.type,
    });
  }

  const recordedWithMarker = async (marker: string) =>
    auditRows(`action = 'agency.source.searched' AND details->>'marker' = $1`, [marker]);

  it('#1: an agency audit event with an empty partnership is dead-lettered and the next one is recorded', async () => {
    const dlq = await new TopicRecorder(Topics.deadLetter(Topics.audit)).start();
    try {
      const poison = await agencyAuditEvent('police', agencyEvent('poison', { partnership: '' }), {
        partnership: '',
      });
      await publishAudit(poison);
      const nullDetails = await agencyAuditEvent('police', agencyEvent('x', { details: null }));
      await publishAudit(nullDetails);
      const marker = randomUUID();
      await publishAudit(await agencyAuditEvent('police', agencyEvent(marker)));

      expect(
        await eventually(async () =>
          (await recordedWithMarker(marker)).length === 1 ? 1 : undefined,
        ),
      ).toBe(1);
      const dead = await eventually(async () =>
        dlq.messages.find((m) => m.headers[Headers.messageId] === poison.messageId),
      );
      expect(dead.headers[Headers.dlqReason]).toMatch(/partnership/);
      const refused = await auditRows(
        `action = 'agency.event.refused' AND details->>'messageId' = $1`,
        [nullDetails.messageId],
      );
      expect(refused).toHaveLength(1);
    } finally {
      await dlq.stop();
    }
  });

  it('#9: a replayed agency audit event is recorded once and the replay refused', async () => {
    const marker = randomUUID();
    const original = await agencyAuditEvent('police', agencyEvent(marker));
    await publishAudit(original);
    await eventually(async () =>
      (await recordedWithMarker(marker)).length > 0 ? true : undefined,
    );
    // The same signature under a new message id, as anyone reading the topic could resend it.
    const replay = { ...original, messageId: randomUUID() };
    await publishAudit(replay);
    const after = randomUUID();
    await publishAudit(await agencyAuditEvent('police', agencyEvent(after)));
    await eventually(async () => ((await recordedWithMarker(after)).length > 0 ? true : undefined));
    expect(await recordedWithMarker(marker)).toHaveLength(1);
    const refused = await auditRows(
      `action = 'agency.event.refused' AND details->>'messageId' = $1`,
      [replay.messageId],
    );
    expect(refused.map((r) => r.details.reason)).toEqual([
      'this signed event was already recorded under another message',
    ]);
  });

  it('#2: an adapter records only outcomes the broker signed, and a bad one does not stall it', async () => {
    const topic = Topics.caseOutcome('police');
    const dlq = await new TopicRecorder(Topics.deadLetter(topic)).start();
    const acks = await new TopicRecorder(Topics.caseOutcomeAcknowledged('police')).start();
    try {
      const decidedAt = new Date().toISOString();
      const unsigned = await forgeOutcome(
        'police',
        { outcome: 'nfa', decidedAt },
        { signer: null },
      );
      const tooLong = await forgeOutcome('police', { outcome: 'x'.repeat(41), decidedAt });
      const nullOutcome = await forgeOutcome('police', { outcome: null, decidedAt });
      const genuine = await forgeOutcome('police', { outcome: 'early-help', decidedAt });
      for (const m of [unsigned, tooLong, nullOutcome, genuine])
        await publishRaw(
          topic,
          JSON.stringify(m),
          { [Headers.correlationId]: m.outcomeId },
          m.caseId as ReturnType<typeof randomUUID>,
        );

      await eventually(async () =>
        acks.messages.some((m) => m.headers[Headers.correlationId] === genuine.outcomeId)
          ? true
          : undefined,
      );
      const recorded = await policeDb.query<{ outcome_id: string }>(
        `SELECT outcome_id FROM mash_outcome WHERE outcome_id = ANY($1::text[])`,
        [[unsigned, tooLong, nullOutcome, genuine].map((m) => m.outcomeId)],
      );
      expect(recorded.rows.map((r) => r.outcome_id)).toEqual([genuine.outcomeId]);
      const dead = await eventually(async () =>
        dlq.messages.length >= 3 ? dlq.messages : undefined,
      );
      expect(dead.map((m) => m.key).sort()).toEqual(
        [unsigned, tooLong, nullOutcome].map((m) => m.outcomeId).sort(),
      );
    } finally {
      await dlq.stop();
      await acks.stop();
    }
  });

  it('#3: a queued request is decided again at release, so consent refused since stops it', async () => {
    const requests = await new TopicRecorder(Topics.queryRequested('education')).start();
    try {
      const first = await ask(await openCase('education'), ['education']);
      expect(first.agencies[0].status).toBe('pending');
      const caseId = await openCase('education');
      const queued = await ask(caseId, ['education']);
      expect(queued.agencies[0].status).toBe('queued');

      await http()
        .put(`/api/v1/cases/${caseId}/consent`)
        .set('Authorization', `Bearer ${manager}`)
        .send({
          status: 'refused',
          reason: 'would-prejudice-enquiries',
          justification: 'The parent refused when asked on the phone.',
        })
        .expect(status(200));
      // An hour passes on the broker's calendar: education's capacity frees.
      federation.clock.advance(2 * HOUR);

      expect(await settled(queued.id, 'education')).toBe('denied');
      const view = await http()
        .get(`/api/v1/queries/${queued.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      expect(view.body.agencies[0]).toMatchObject({
        agency: 'education',
        decision: 'deny',
        status: 'denied',
      });
      await new Promise((r) => setTimeout(r, 1000));
      expect(requests.messages.filter((m) => m.key === queued.id)).toEqual([]);
    } finally {
      await requests.stop();
    }
  });

  describe('#7: answers that come too late', () => {
    async function answeredPoliceQuery(): Promise<{
      caseId: string;
      queryId: string;
      requestHash: string;
    }> {
      const caseId = await openCase('police');
      const q = await ask(caseId, ['police']);
      await settled(q.id, 'police');
      const p = await part(q.id, 'police');
      return { caseId, queryId: q.id, requestHash: p.request_hash! };
    }

    async function refusalCode(queryId: string): Promise<string> {
      const rows = await eventually(async () => {
        const found = await auditRows(`action = 'query.answer.refused' AND query_id = $1`, [
          queryId,
        ]);
        return found.length > 0 ? found : undefined;
      });
      return String(rows[0].details.code);
    }

    it('refuses an answer long after the request timed out', async () => {
      const { queryId, requestHash } = await answeredPoliceQuery();
      // Times on the broker's calendar, which tests pin.
      await brokerDb.query(
        `UPDATE federated_query_agency SET status = 'timed-out', records_sealed = NULL, deadline_at = $2
          WHERE query_id = $1 AND agency = 'police'`,
        [queryId, new Date(federation.clock.now().getTime() - 2 * HOUR)],
      );
      await publishMessage(
        Topics.queryResponded('police'),
        await forgeAnswer('police', queryId, { requestHash }),
      );
      expect(await refusalCode(queryId)).toBe('ANSWER.TOO_LATE');
      expect(await part(queryId, 'police')).toMatchObject({
        status: 'timed-out',
        records_sealed: null,
      });
    });

    it('refuses an answer for a case whose data retention has deleted', async () => {
      const { caseId, queryId, requestHash } = await answeredPoliceQuery();
      const now = federation.clock.now().getTime();
      await brokerDb.query(
        `UPDATE federated_query_agency SET status = 'timed-out', records_sealed = NULL, deadline_at = $2
          WHERE query_id = $1 AND agency = 'police'`,
        [queryId, new Date(now)],
      );
      await brokerDb.query(
        `UPDATE mash_case SET status = 'closed', closed_at = $2, retain_until = $3 WHERE id = $1`,
        [caseId, new Date(now - 200 * 24 * HOUR), new Date(now - 24 * HOUR)],
      );
      await federation.broker.get(RetentionJob).sweep();
      const purged = await brokerDb.query(`SELECT purged_at FROM mash_case WHERE id = $1`, [
        caseId,
      ]);
      expect(purged.rows[0].purged_at).not.toBeNull();

      await publishMessage(
        Topics.queryResponded('police'),
        await forgeAnswer('police', queryId, { requestHash }),
      );
      expect(await refusalCode(queryId)).toBe('ANSWER.CASE_PURGED');
      expect((await part(queryId, 'police')).records_sealed).toBeNull();
    });
  });

  it('#8: the per-query justification is stored, shown and audited', async () => {
    const caseId = await openCase('health');
    const justification = 'Health history needed to judge the unexplained injuries.';
    const q = await ask(caseId, ['health'], { justification });
    const view = await http()
      .get(`/api/v1/queries/${q.id}`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    expect(view.body.justification).toBe(justification);
    const [requested] = await auditRows(`action = 'query.requested' AND query_id = $1`, [q.id]);
    expect(requested.details.justification).toBe('given');
    const stored = await brokerDb.query(
      `SELECT justification_sealed FROM federated_query WHERE id = $1`,
      [q.id],
    );
    expect(stored.rows[0].justification_sealed).toMatch(/^env1\./);
  });

  it('#13: a published request does not stay in the outbox', async () => {
    const q = await ask(await openCase('police'), ['police']);
    await settled(q.id, 'police');
    await eventually(async () => {
      const left = await brokerDb.query(`SELECT 1 FROM outbox_message WHERE key = $1`, [q.id]);
      return left.rowCount === 0 ? true : undefined;
    });
  });

  describe('#12: HTTP hardening', () => {
    it('serves a query view with no-store and the security headers (what curl -I shows)', async () => {
      const q = await ask(await openCase('police'), ['police']);
      const res = await http()
        .head(`/api/v1/queries/${q.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
      expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['x-powered-by']).toBeUndefined();
      const docs = await http().get('/api/docs');
      expect(docs.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    });

    it('answers /metrics only on the operator network', async () => {
      const res = await http().get('/metrics').expect(status(403));
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body.code).toBe('METRICS.FORBIDDEN');
    });

    it('limits each user, not everyone, when one user floods the API', async () => {
      const flooder = await federation.token('analyst', 'demo', 'test-flooder');
      const results = await Promise.all(
        Array.from({ length: 90 }, () =>
          http().get('/api/v1/cases').set('Authorization', `Bearer ${flooder}`),
        ),
      );
      expect(results.map((r) => r.status)).toContain(429);
      const limited = results.filter((r) => r.status === 429);
      expect(limited[0].body).toMatchObject({ statusCode: 429, code: 'REQUEST.RATE_LIMITED' });
      const other = await http()
        .get('/api/v1/cases')
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      expect(other.headers['x-ratelimit-limit']).toBe('60');
    });
  });

  it('#6: a formula in an actor id or a case filter never reaches a CSV export as a formula', async () => {
    const evil = await federation.token('auditor', 'demo', '=HYPERLINK("http://evil.example","x")');
    await http()
      .get('/api/v1/audit/events')
      .query({ case: '=HYPERLINK("http://evil.example","x")' })
      .set('Authorization', `Bearer ${evil}`)
      .expect(status(400));
    await http()
      .get('/api/v1/audit/events')
      .set('Authorization', `Bearer ${evil}`)
      .expect(status(200));
    const csv = await http()
      .get('/api/v1/audit/events')
      .query({ format: 'csv', action: 'audit.searched' })
      .set('Authorization', `Bearer ${auditor}`)
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => done(null, text));
      })
      .expect(status(200));
    const text = csv.body as string;
    expect(text).toContain('HYPERLINK');
    expect(text).not.toMatch(/(^|,)"?[=+\-@]/m);
  });

  it('#4: old checkpoints still verify after the checkpoint key is rotated and retired', async () => {
    await federation.broker.get(AuditCheckpointJob).checkpointNow();
    const before = await http()
      .get('/api/v1/audit/verify')
      .set('Authorization', `Bearer ${auditor}`)
      .expect(status(200));
    expect(before.body).toMatchObject({ ok: true });
    expect(before.body.checkpointsChecked).toBeGreaterThan(0);

    // The documented rotation: rotate, restart, retire the old key, restart.
    const store = new FileKeyRingStore(TEST_KEYS_DIR);
    const old = store
      .read('audit-checkpoint')!
      .keys.find((k) => k.use === 'sig' && k.status === 'active')!;
    await store.rotate('audit-checkpoint', 'sig');
    store.retire('audit-checkpoint', old.kid);
    await federation.broker.close();
    await federation.startBroker();

    const after = await http()
      .get('/api/v1/audit/verify')
      .set('Authorization', `Bearer ${auditor}`)
      .expect(status(200));
    expect(after.body.firstFailure).toBeUndefined();
    expect(after.body).toMatchObject({ ok: true });
    expect(after.body.checkpointsChecked).toBeGreaterThanOrEqual(before.body.checkpointsChecked);
  }, 90_000);
});
