/**
 * The outbox survives a real crash: the broker runs as a child process, records an outcome with
 * its relay switched off (so the commit happens and the publish does not), is killed with SIGKILL,
 * and on restart publishes the outcome, which each agency records exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import request from 'supertest';
import { Topics, type Agency } from '@mash/contracts';
import {
  Federation,
  ROOT,
  baseEnv,
  dropDatabases,
  eventually,
  seedSources,
  sql,
  status,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];
const PORT = 3910;
const URL = `http://127.0.0.1:${PORT}`;
const env = baseEnv({
  PORT: String(PORT),
  DATABASE_URL: testDatabaseUrl('broker_crash'),
  BROKER_JWKS_URL: `${URL}/.well-known/jwks.json`,
});

describe('The outbox across a broker crash between commit and publish', () => {
  const federation = new Federation(env);
  let broker: ChildProcess | undefined;
  let subjects: DemoSubject[];

  async function startBroker(extra: Record<string, string> = {}): Promise<void> {
    const child = spawn(
      process.execPath,
      ['-r', '@swc-node/register', resolve(ROOT, 'test/support/broker-main.ts')],
      {
        cwd: ROOT,
        env: { ...env, ...extra },
        stdio: ['ignore', 'ignore', 'inherit'],
      },
    );
    broker = child;
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`broker exited with ${child.exitCode}`);
        const res = await fetch(`${URL}/health`).catch(() => undefined);
        return res?.ok ? true : undefined;
      },
      60_000,
      250,
    );
  }

  async function killBroker(): Promise<void> {
    const child = broker;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    broker = undefined;
  }

  beforeAll(async () => {
    await dropDatabases(['broker_crash', ...ALL]);
    subjects = seedSources();
    await startBroker();
    for (const agency of ALL) await federation.startAdapter(agency);
  }, 180_000);

  afterAll(async () => {
    await killBroker();
    await federation.stop();
  });

  it('publishes the committed outcome after a SIGKILL and restart, and each agency records it once', async () => {
    const analyst = await federation.token('analyst');
    const manager = await federation.token('manager', 'demo', 'test-manager');
    const child = subjects.find(
      (s) => s.knownTo.includes('police') && s.knownTo.includes('health'),
    )!;
    const opened = await request(URL)
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: child.subject,
        referrer: { agency: 'police' },
        concerns: ['physical-abuse'],
      })
      .expect(status(201));
    const caseId = opened.body.id as string;
    await request(URL)
      .put(`/api/v1/cases/${caseId}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
    const accepted = await request(URL)
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police', 'health'] })
      .expect(status(202));
    await eventually(async () => {
      const res = await request(URL)
        .get(`/api/v1/queries/${accepted.body.id}`)
        .set('Authorization', `Bearer ${analyst}`);
      return res.body.status === 'complete' ? res.body : undefined;
    }, 30_000);

    // Restart with the relay off: the outcome commits, its messages stay in the outbox.
    await killBroker();
    await startBroker({ OUTBOX_RELAY_DISABLED: '1' });
    const recorded = await request(URL)
      .post(`/api/v1/cases/${caseId}/outcome`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        outcome: 's17-assessment',
        rationale: 'Needs are complex; a child in need assessment is agreed.',
      })
      .expect(status(201));
    const outcomeId = recorded.body.id as string;
    await new Promise((r) => setTimeout(r, 3000));
    const waiting = await sql<{ topic: string }>(
      'broker_crash',
      `SELECT topic FROM outbox_message WHERE published_at IS NULL AND topic LIKE '%.case.outcome.v1' ORDER BY topic`,
    );
    expect(waiting.map((w) => w.topic)).toEqual([
      Topics.caseOutcome('health'),
      Topics.caseOutcome('police'),
    ]);
    for (const agency of ['police', 'health'] as const) {
      expect(
        await sql(`adapter_${agency}`, 'SELECT 1 FROM mash_outcome WHERE outcome_id = $1', [
          outcomeId,
        ]),
      ).toHaveLength(0);
    }

    // The crash: no shutdown hooks, nothing flushed.
    await killBroker();
    await startBroker();

    const delivered = await eventually(
      async () => {
        const res = await request(URL)
          .get(`/api/v1/cases/${caseId}`)
          .set('Authorization', `Bearer ${analyst}`)
          .expect(status(200));
        const deliveries = res.body.outcomes[0].deliveries as Array<{
          agency: string;
          status: string;
        }>;
        return deliveries.length === 2 && deliveries.every((d) => d.status === 'delivered')
          ? deliveries
          : undefined;
      },
      90_000,
      500,
    );
    expect(delivered.map((d) => d.agency).sort()).toEqual(['health', 'police']);
    for (const agency of ['police', 'health'] as const) {
      expect(
        await sql(
          `adapter_${agency}`,
          'SELECT outcome, case_ref FROM mash_outcome WHERE outcome_id = $1',
          [outcomeId],
        ),
      ).toEqual([{ outcome: 's17-assessment', case_ref: caseId }]);
    }
    expect(
      await sql(
        'broker_crash',
        `SELECT 1 FROM outbox_message WHERE published_at IS NULL AND topic LIKE '%.case.outcome.v1'`,
      ),
    ).toHaveLength(0);
  }, 240_000);
});
