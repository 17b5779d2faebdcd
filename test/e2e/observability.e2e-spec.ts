import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import request from 'supertest';
import { HeartbeatPublisher, SourceFreshness } from '@mash/adapter-sdk';
import { AGENCIES, Topics } from '@mash/contracts';
import { FileKeyRingStore, ServiceKeys } from '@mash/trust';
import {
  Federation,
  seededFederation,
  baseEnv,
  eventually,
  sql,
  status,
} from '../support/federation';
import { TopicRecorder, publishRaw } from '../support/kafka';
import { openSse } from '../support/sse';

interface StatusBody {
  agencies: Array<{
    agency: string;
    status: 'up' | 'down';
    lastHeardAt: string | null;
    dataAsOf: string | null;
    adapterVersion: string | null;
  }>;
  silenceSeconds: number;
}

// Spans from the broker and the adapters (all in this process) go to memory; trace context
// crosses between them only in the Kafka headers, as between separate processes.
const spans = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });

describe('Operations: agency availability, data freshness, traces', () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    trace.setGlobalTracerProvider(provider);
  });

  afterAll(async () => {
    await provider.shutdown();
    trace.disable();
    propagation.disable();
    context.disable();
  });

  // Adapters beat every second; an adapter silent for 30 s (on the broker's pinned clock) is
  // down, and a query to one silent for 5 s of wall time is settled at once.
  const DOWN_GRACE_SECONDS = 5;
  const { federation, subjects } = seededFederation(
    new Federation(
      baseEnv({
        HEARTBEAT_INTERVAL_SECONDS: '1',
        HEARTBEAT_SILENCE_SECONDS: '30',
        AGENCY_DOWN_GRACE_SECONDS: String(DOWN_GRACE_SECONDS),
      }),
    ),
  );
  let auditor: string;

  beforeAll(async () => {
    auditor = await federation.token('auditor');
  });

  afterAll(async () => {});

  async function agencyStatus(token = auditor): Promise<StatusBody> {
    const res = await request(federation.http())
      .get('/api/v1/agencies/status')
      .set('Authorization', `Bearer ${token}`)
      .expect(status(200));
    return res.body as StatusBody;
  }

  async function metrics(): Promise<string> {
    return (await request(federation.http()).get('/metrics').expect(status(200))).text;
  }

  it('reports all four agencies up after start, with their version and data freshness', async () => {
    const body = await eventually(async () => {
      const b = await agencyStatus();
      return b.agencies.every((a) => a.status === 'up') ? b : undefined;
    });
    expect(body.agencies.map((a) => a.agency).sort()).toEqual([...AGENCIES].sort());
    for (const a of body.agencies) {
      expect(a.lastHeardAt).not.toBeNull();
      expect(a.adapterVersion).toBe('0.1.0');
      // The seed fitted each source's matching model: that refresh is the data's "as of".
      expect(a.dataAsOf).not.toBeNull();
    }
    expect(await metrics()).toMatch(/mash_agency_up\{agency="police"[^}]*\} 1/);
  });

  it('is not for anonymous callers', async () => {
    await request(federation.http()).get('/api/v1/agencies/status').expect(status(401));
  });

  it('carries the data freshness on each agency answer, and traces the query across broker and adapter', async () => {
    const child = subjects.find((s) => s.knownTo.includes('police'))!;
    // Until the match index's first pass has taken in the seeded source, the data is as of the
    // model's fitting; after it, as of the source's newest change. An answer carries what the
    // adapter's last heartbeat said, so ask once the heartbeats say the index's watermark.
    const freshness = async () =>
      (await agencyStatus()).agencies.find((a) => a.agency === 'police')!.dataAsOf;
    const watermark = await eventually(async () => {
      const [row] = await sql<{ at: Date }>(
        'adapter_police',
        'SELECT changed_up_to AS at FROM match_index_state',
      );
      return row?.at.toISOString();
    });
    await eventually(async () => ((await freshness()) === watermark ? true : undefined));
    const caseId = await federation.openCaseWithoutConsent(child.subject, {
      referrer: { agency: 'education' },
      concerns: ['physical-abuse'],
    });
    const analyst = await federation.token('analyst');
    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    const done = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${accepted.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    });
    const police = done.agencies.find((a: { agency: string }) => a.agency === 'police');
    expect(police.status).toBe('match');
    expect(police.dataAsOf).toBe(watermark);
    expect(await freshness()).toBe(police.dataAsOf);

    // One trace from the POST through the outbox, Kafka, the adapter's source lookup and back.
    const finished = spans.getFinishedSpans();
    const post = finished.find(
      (s) =>
        s.name === 'HTTP POST' && s.attributes['url.path'] === `/api/v1/cases/${caseId}/queries`,
    );
    expect(post).toBeDefined();
    const traceId = post!.spanContext().traceId;
    const inTrace = await eventually(async () => {
      const names = spans
        .getFinishedSpans()
        .filter((s) => s.spanContext().traceId === traceId)
        .map((s) => s.name);
      return names.includes(`${Topics.queryResponded('police')} process`) ? names : undefined;
    });
    expect(inTrace).toEqual(
      expect.arrayContaining([
        'HTTP POST',
        `${Topics.queryRequested('police')} publish`, // the broker's outbox relay
        `${Topics.queryRequested('police')} process`, // the adapter
        'source.find-subject',
        'source.fetch-records',
        `${Topics.queryResponded('police')} publish`, // the adapter's answer
        `${Topics.queryResponded('police')} process`, // the broker's answer handler
      ]),
    );
  });

  it('refuses a heartbeat not signed by the agency, and dead-letters a malformed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mash-forger-'));
    const dlq = await new TopicRecorder(
      Topics.deadLetter(Topics.adapterHeartbeat('health')),
    ).start();
    try {
      const forgerKeys = await ServiceKeys.fromRing(
        await new FileKeyRingStore(dir).loadOrCreate('adapter-police'),
      );
      const forger = new HeartbeatPublisher(
        { agency: 'police', intervalSeconds: 1, version: 'forged', instance: 'attacker' },
        forgerKeys,
        { publish: (topic, m) => publishRaw(topic, m.value, m.headers, m.key) },
        new SourceFreshness({}),
      );
      await forger.beat();
      await publishRaw(
        Topics.adapterHeartbeat('health'),
        JSON.stringify({ type: 'adapter.heartbeat' }),
      );

      await eventually(async () =>
        /mash_agency_heartbeats_refused_total\{agency="police"[^}]*\} 1/.test(await metrics())
          ? true
          : undefined,
      );
      await eventually(async () => (dlq.messages.length > 0 ? true : undefined));
      expect(dlq.messages[0].headers['dlq-reason']).toMatch(/schema/);
      const police = (await agencyStatus()).agencies.find((a) => a.agency === 'police')!;
      expect(police.adapterVersion).toBe('0.1.0');
    } finally {
      await dlq.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  let policeStoppedAt = 0;

  it('reports an adapter down once it has been silent longer than allowed, the others still up', async () => {
    await federation.stopAdapter('police');
    policeStoppedAt = Date.now();
    federation.clock.advance(60_000);
    const after = await eventually(async () => {
      const b = await agencyStatus();
      const others = b.agencies.filter((a) => a.agency !== 'police');
      // The others' next heartbeats arrive at the advanced time and keep them up.
      return others.every((a) => a.status === 'up') ? b : undefined;
    });
    const police = after.agencies.find((a) => a.agency === 'police')!;
    expect(police.status).toBe('down');
    for (const other of after.agencies.filter((a) => a.agency !== 'police'))
      expect(Date.parse(police.lastHeardAt!)).toBeLessThan(Date.parse(other.lastHeardAt!));
    expect(await metrics()).toMatch(/mash_agency_up\{agency="police"[^}]*\} 0/);
  });

  it('settles at once the part of a query to an agency known down, audited and streamed, and still asks the others', async () => {
    expect(federation.adapters.has('police')).toBe(false);
    // Past the grace (wall time) since police's last heartbeat.
    const wait = policeStoppedAt + (DOWN_GRACE_SECONDS + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const child = subjects.find(
      (s) => s.knownTo.includes('police') && s.knownTo.includes('health'),
    )!;
    const caseId = await federation.openCaseWithoutConsent(child.subject, {
      referrer: { agency: 'education' },
      concerns: ['physical-abuse'],
    });
    const analyst = await federation.token('analyst');
    const asked = Date.now();
    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police', 'health'] })
      .expect(status(202));
    const part = (body: { agencies: Array<{ agency: string }> }, agency: string) =>
      body.agencies.find((a) => a.agency === agency) as Record<string, unknown>;
    // Said in the answer to the request itself: no wait for the deadline.
    expect(part(accepted.body, 'police')).toMatchObject({
      decision: 'permit',
      status: 'failed',
      failure: 'AGENCY.UNAVAILABLE',
    });
    expect(part(accepted.body, 'health')).toMatchObject({ status: 'pending' });

    // The event stream carries police's settled part; health answers, and the query ends partial.
    const stream = await openSse(
      `http://127.0.0.1:${federation.env.PORT}/api/v1/queries/${accepted.body.id}/events`,
      analyst,
    );
    try {
      const seen: Array<{ event: string; data: Record<string, unknown> }> = [];
      for (;;) {
        const event = await stream.next(20_000);
        if (!event) break;
        seen.push({ event: event.event, data: JSON.parse(event.data) });
        if (event.event === 'query') break;
      }
      expect(seen.filter((e) => e.event === 'agency').map((e) => e.data)).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            agency: 'police',
            status: 'failed',
            failure: 'AGENCY.UNAVAILABLE',
          }),
          expect.objectContaining({ agency: 'health', status: 'match' }),
        ]),
      );
      expect(seen.at(-1)).toMatchObject({ event: 'query', data: { status: 'partial' } });
    } finally {
      stream.close();
    }
    // Well inside the query's deadline (8 s): nothing waited for police.
    expect(Date.now() - asked).toBeLessThan(8_000);

    // Audit entries take their place in the chain a moment after they commit.
    const audited = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/audit/events?action=query.agency.unavailable&query=${accepted.body.id}`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(status(200));
      return res.body.items.length > 0 ? res : undefined;
    });
    expect(audited.body.items).toEqual([
      expect.objectContaining({ agency: 'police', outcome: 'failure' }),
    ]);
    expect(await metrics()).toMatch(
      /mash_query_agency_unavailable_total\{agency="police"[^}]*\} 1/,
    );
  });
});
