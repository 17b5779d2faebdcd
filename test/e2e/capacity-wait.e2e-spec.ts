/**
 * Queued requests and an agency that is not up (issue 19): after a restart the capacity queue was
 * released before the adapters were running, and every waiting request failed for good with
 * AGENCY.KEYS_UNAVAILABLE. A queued request now keeps its place while the agency cannot be
 * reached, the analyst sees why it waits, and it goes once the agency's adapter is back.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import request from 'supertest';
import type { Agency } from '@mash/contracts';
import {
  Federation,
  ROOT,
  baseEnv,
  dropDatabases,
  eventually,
  seedSources,
  status,
  type DemoSubject,
} from '../support/federation';

const HOUR = 60 * 60 * 1000;
const OTHERS: Agency[] = ['health', 'education', 'social-care'];

/** The demo matrix with police limited to 2 queries an hour. */
function testThresholdsDir(): string {
  const dir = resolve(ROOT, '.local/test/thresholds-capacity-wait');
  mkdirSync(dir, { recursive: true });
  const demo = readFileSync(resolve(ROOT, 'deploy/thresholds/demo.yaml'), 'utf8');
  const tight = demo.replace('police: { queriesPerHour: 120 }', 'police: { queriesPerHour: 2 }');
  if (tight === demo) throw new Error('demo matrix changed shape: police capacity not found');
  writeFileSync(resolve(dir, 'demo.yaml'), tight);
  return dir;
}

describe('A queued request whose agency is not up', () => {
  const federation = new Federation(baseEnv({ THRESHOLDS_DIR: testThresholdsDir() }));
  let subjects: DemoSubject[];
  let analyst: string;
  let manager: string;
  const http = () => request(federation.http());

  beforeAll(async () => {
    await dropDatabases(['broker', 'police', ...OTHERS]);
    subjects = seedSources();
    // As just after a restart: the broker is up, the police adapter is not.
    await federation.startBroker();
    await Promise.all(OTHERS.map((a) => federation.startAdapter(a)));
    analyst = await federation.token('analyst');
    manager = await federation.token('manager', 'demo', 'test-manager');
  }, 180_000);

  afterAll(async () => {
    await federation.stop();
  });

  async function policePart(queryId: string) {
    const res = await http()
      .get(`/api/v1/queries/${queryId}`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    return res.body.agencies[0] as {
      status: string;
      failure?: string;
      queue?: { position: number; expectedReleaseAt: string; waitingFor: string };
    };
  }

  it('keeps its place, says why it waits, and goes once the agency is back', async () => {
    const child = subjects.find((s) => s.knownTo.includes('police'))!;
    const opened = await http()
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({ subject: child.subject, referrer: { agency: 'education' }, concerns: ['neglect'] })
      .expect(status(201));
    const caseId = opened.body.id as string;
    await http()
      .put(`/api/v1/cases/${caseId}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
    const ask = async () =>
      (
        await http()
          .post(`/api/v1/cases/${caseId}/queries`)
          .set('Authorization', `Bearer ${analyst}`)
          .send({ purpose: 'mash-triage', agencies: ['police'] })
          .expect(status(202))
      ).body as { id: string; agencies: Array<{ status: string }> };
    // The hour's two police slots are used; the third request waits.
    await ask();
    await ask();
    const waiting = await ask();
    expect(waiting.agencies[0].status).toBe('queued');

    // An hour on there is capacity, but police cannot be reached: still queued, with the reason.
    federation.clock.advance(2 * HOUR);
    const stuck = await eventually(async () => {
      const part = await policePart(waiting.id);
      return part.failure ? part : undefined;
    }, 20_000);
    expect(stuck).toMatchObject({
      status: 'queued',
      failure: 'AGENCY.KEYS_UNAVAILABLE',
      queue: { position: 1, waitingFor: expect.stringMatching(/adapter/) },
    });
    await new Promise((r) => setTimeout(r, 2500));
    expect((await policePart(waiting.id)).status).toBe('queued');

    await federation.startAdapter('police');
    const answered = await eventually(async () => {
      const part = await policePart(waiting.id);
      return part.status !== 'queued' && part.status !== 'pending' ? part : undefined;
    }, 60_000);
    expect(answered.status).toBe('match');
    expect(answered.failure).toBeUndefined();
  }, 150_000);
});
