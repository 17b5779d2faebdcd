/**
 * Following a query without polling, and refusing what the federation cannot finish in time
 * (issues 13 and 15): `GET /api/v1/queries/:id/events` streams each agency's part as it changes,
 * and `POST /api/v1/cases/:id/queries` refuses amber and green cases at once, before red ones,
 * when the requests in flight reach the limit (set low here: two per agency, half kept for red).
 * The broker's clock is pinned, so nothing times out by itself: requests to a stopped adapter
 * stay in flight until it is back.
 */
import { Client } from 'pg';
import request from 'supertest';
import type { Agency } from '@mash/contracts';
import {
  Federation,
  baseEnv,
  dropDatabases,
  eventually,
  testDatabaseUrl,
  seedSources,
  status,
  type DemoSubject,
} from '../support/federation';
import { openSse, type SseEvent } from '../support/sse';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];
const PORT = 3900;

describe('Query events and admission control', () => {
  const federation = new Federation(
    baseEnv({
      PORT: String(PORT),
      QUERY_ADMISSION_MAX_IN_FLIGHT: '2',
      QUERY_ADMISSION_RED_RESERVE: '0.5',
      // Two creations at once in the instance, one of them for amber and green cases.
      QUERY_ADMISSION_MAX_CONCURRENT: '2',
      QUERY_EVENTS_HEARTBEAT_SECONDS: '1',
    }),
  );
  let everywhere: DemoSubject;
  let analyst: string;
  const http = () => request(federation.http());
  const events = (queryId: string, token = analyst, headers: Record<string, string> = {}) =>
    openSse(`http://127.0.0.1:${PORT}/api/v1/queries/${queryId}/events`, token, headers);

  function ask(caseId: string, agencies?: Agency[]) {
    return http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', ...(agencies ? { agencies } : {}) });
  }

  async function finished(queryId: string): Promise<string> {
    return eventually(async () => {
      const res = await http()
        .get(`/api/v1/queries/${queryId}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : (res.body.status as string);
    }, 60_000);
  }

  /** Two cases about the same child: one rated green, one red (by their concerns). */
  async function greenAndRedCases(): Promise<{ green: string; red: string }> {
    const open = (concern: string) =>
      federation.openCaseWithoutConsent(everywhere.subject, {
        referrer: { agency: 'education' },
        concerns: [concern],
      });
    return { green: await open('missing-from-education'), red: await open('sexual-abuse') };
  }

  beforeAll(async () => {
    await dropDatabases(['broker', ...ALL]);
    const subjects = seedSources();
    everywhere = subjects.find((s) => s.knownTo.length === 4)!;
    await federation.start();
    analyst = await federation.token('analyst');
    // A first query, so the broker holds every agency's keys before some adapters are stopped.
    const caseId = await federation.openCaseWithoutConsent(everywhere.subject, {
      referrer: { agency: 'education' },
      concerns: ['physical-abuse'],
    });
    const first = await ask(caseId).expect(status(202));
    expect(await finished(first.body.id)).toBe('complete');
  }, 240_000);

  afterAll(async () => {
    await federation.stop();
  });

  it("streams each agency's answer as it arrives, then the end, and replays what a client missed", async () => {
    const caseId = await federation.openCaseWithoutConsent(everywhere.subject, {
      referrer: { agency: 'police' },
      concerns: ['physical-abuse'],
    });
    // Two adapters are down, so their answers can only arrive while the stream is open.
    await Promise.all([federation.stopAdapter('health'), federation.stopAdapter('education')]);
    const posted = await ask(caseId).expect(status(202));
    const queryId = posted.body.id as string;
    const stream = await events(queryId);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);

    const received: SseEvent[] = [];
    const agencyEvent = async () => {
      const event = await stream.next(60_000);
      expect(event?.event).toBe('agency');
      received.push(event!);
      return JSON.parse(event!.data) as { agency: string; status: string; records?: unknown };
    };
    const early = [await agencyEvent(), await agencyEvent()];
    expect(early.map((p) => p.agency).sort()).toEqual(['police', 'social-care']);
    for (const part of early) expect(part.status).toBe('match');
    // The stream stays open (heartbeats) while the others are away.
    await eventually(async () => (stream.comments.includes('keep-alive') ? true : undefined));

    await Promise.all([federation.startAdapter('health'), federation.startAdapter('education')]);
    const late = [await agencyEvent(), await agencyEvent()];
    expect(late.map((p) => p.agency).sort()).toEqual(['education', 'health']);

    // Each part is the query view's part, records minimised the same way.
    const view = await http()
      .get(`/api/v1/queries/${queryId}`)
      .set('Authorization', `Bearer ${analyst}`)
      .expect(status(200));
    for (const part of [...early, ...late])
      expect(part).toEqual(
        view.body.agencies.find((a: { agency: string }) => a.agency === part.agency),
      );

    const last = await stream.next();
    expect(last?.event).toBe('query');
    expect(JSON.parse(last!.data)).toMatchObject({ id: queryId, status: 'complete' });
    expect(await stream.next()).toBeUndefined();

    // A client that lost the connection after the second event gets the rest, in order.
    const resumed = await events(queryId, analyst, { 'Last-Event-ID': received[1].id! });
    const replay = [await resumed.next(), await resumed.next(), await resumed.next()];
    expect(replay.map((e) => e?.id)).toEqual([received[2].id, received[3].id, last!.id]);
    expect(await resumed.next()).toBeUndefined();
    // And one that has seen the end is told there is no more (an EventSource stops).
    const over = await events(queryId, analyst, { 'Last-Event-ID': last!.id! });
    expect(over.status).toBe(204);

    // Seeing released records through the stream is audited, as the query view is.
    const auditor = await federation.token('auditor');
    const audited = await eventually(async () => {
      const res = await http()
        .get(`/api/v1/audit/events?action=query.results.viewed&query=${queryId}`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(status(200));
      const items = res.body.items as Array<{
        details?: { via?: string };
      }>;
      return items.some((e) => e.details?.via === 'events') ? items : undefined;
    });
    expect(audited.length).toBeGreaterThan(0);
  }, 180_000);

  it("is not found for a user of another partnership, as the query's view is", async () => {
    const caseId = await federation.openCaseWithoutConsent(everywhere.subject, {
      referrer: { agency: 'education' },
      concerns: ['physical-abuse'],
    });
    const posted = await ask(caseId).expect(status(202));
    const stranger = await federation.token('analyst', 'other-partnership');
    const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/queries/${posted.body.id}/events`, {
      headers: { Authorization: `Bearer ${stranger}` },
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      statusCode: 404,
      code: expect.stringMatching(/NOT_FOUND/),
    });
    await finished(posted.body.id);
  }, 60_000);

  it('refuses amber and green cases with Retry-After when the federation is full, admits red, and completes what it admitted', async () => {
    const { green, red } = await greenAndRedCases();
    // Police answers nothing for now: its requests stay in flight.
    await federation.stopAdapter('police');
    const admitted: string[] = [];
    admitted.push((await ask(green, ['police']).expect(status(202))).body.id);

    // One police request in flight: the amber/green share (half of two) is used up.
    const refused = await ask(green, ['police']).expect(status(503));
    expect(refused.body).toMatchObject({ code: 'QUERY.OVERLOADED', statusCode: 503 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    // A query that does not ask police is not held up by it.
    admitted.push((await ask(green, ['health']).expect(status(202))).body.id);

    // A red case may use the reserve...
    admitted.push((await ask(red, ['police']).expect(status(202))).body.id);
    // ...up to the limit.
    const full = await ask(red, ['police']).expect(status(503));
    expect(full.body.code).toBe('QUERY.OVERLOADED');
    expect(full.headers['retry-after']).toBeDefined();

    await federation.startAdapter('police');
    for (const id of admitted) expect(await finished(id)).toBe('complete');
    // With the backlog answered, green is admitted again.
    const again = await ask(green, ['police']).expect(status(202));
    expect(await finished(again.body.id)).toBe('complete');
  }, 180_000);

  it('refuses at once when the broker itself has no place for another creation, red last', async () => {
    const { green, red } = await greenAndRedCases();
    // Creations that reach their insert wait behind this lock (it lets reads by), holding their places.
    const db = new Client({ connectionString: testDatabaseUrl('broker') });
    await db.connect();
    // Creations waiting on that lock at their first insert (the snapshot of pg_stat_activity
    // is otherwise kept for the whole transaction).
    const waiting = async () => {
      await db.query('SELECT pg_stat_clear_snapshot()');
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity
          WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO "federated_query"%'`,
      );
      return rows[0].n as number;
    };
    try {
      await db.query('BEGIN');
      await db.query('LOCK TABLE federated_query IN SHARE MODE');
      const first = ask(green, ['education']).then((r) => r);
      await eventually(async () => ((await waiting()) === 1 ? true : undefined), 30_000);

      // One creation under way: the amber and green share (half of two) is taken.
      const refused = await ask(green, ['education']).expect(status(503));
      expect(refused.body).toMatchObject({
        code: 'QUERY.OVERLOADED',
        details: { agencies: [], retryAfterSeconds: 1 },
      });
      expect(refused.headers['retry-after']).toBe('1');

      // A red case takes the last place...
      const second = ask(red, ['education']).then((r) => r);
      await eventually(async () => ((await waiting()) === 2 ? true : undefined), 30_000);
      // ...and with both taken, red is refused too, before anything is read.
      const full = await ask(red, ['education']).expect(status(503));
      expect(full.body.details).toEqual({ agencies: [], retryAfterSeconds: 1 });
      // The door stands before authentication: refusing costs no token check.
      const anonymous = await request(federation.http())
        .post(`/api/v1/cases/${red}/queries`)
        .send({ purpose: 'mash-triage', agencies: ['education'] })
        .expect(status(503));
      expect(anonymous.body.code).toBe('QUERY.OVERLOADED');
      // ...but after the security headers and the correlation id, which the refusal carries.
      expect(anonymous.headers['cache-control']).toContain('no-store');
      expect(anonymous.headers['x-content-type-options']).toBe('nosniff');
      expect(anonymous.body.correlationId).toBe(anonymous.headers['x-correlation-id']);
      // Before the body is parsed: a body that is not JSON is refused for load, not as malformed.
      await request(federation.http())
        .post(`/api/v1/cases/${red}/queries`)
        .set('Content-Type', 'application/json')
        .send('{"purpose":')
        .expect(status(503));

      await db.query('COMMIT');
      // What was admitted completes; the places are given back.
      for (const posted of [await first, await second]) {
        expect(posted.status).toBe(202);
        expect(await finished(posted.body.id)).toBe('complete');
      }
      await ask(green, ['education']).expect(status(202));
    } finally {
      await db.query('ROLLBACK').catch(() => undefined);
      await db.end();
    }
  }, 120_000);
});
