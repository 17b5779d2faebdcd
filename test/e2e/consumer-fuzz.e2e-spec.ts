/**
 * No message can stall a consumer (issue 17). Every Kafka consumer of the broker and the adapter
 * SDK is fed arbitrary and mutated-valid messages (wrong types, huge strings, nulls, unknown keys,
 * bad signatures, valid signatures over invalid content) through the same handler the Kafka
 * transport calls, on the real database and Kafka of a running federation. For each message the
 * handler must return (a throw is what makes Kafka redeliver: a permanent error must never do
 * so), dead-letter it or refuse it with an audit event, write nothing it should not, and the next
 * genuine message must still be processed. Runs are bounded to keep the suite fast; the number of
 * messages each consumer took is printed at the end. Also here, on the same federation: answers
 * that arrive together are stored together (the broker's group commit), each audited under its
 * own message.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import request from 'supertest';
import { Client } from 'pg';
import { CompactSign, createLocalJWKSet } from 'jose';
import {
  AGREEMENT_STATUS_JWS_TYPE,
  Headers,
  Topics,
  type Agency,
  type AgreementStatusClaimsV1,
  type CaseOutcomeAcknowledgedV1,
} from '@mash/contracts';
import {
  AgreementStatusRegistry,
  OutcomeProcessor,
  QueryRequestProcessor,
  type ProcessOutcome,
} from '@mash/adapter-sdk';
import { handleKafkaMessage, type RawKafkaMessage } from '@mash/common';
import {
  SIGNING_ALG,
  criteriaHash,
  encryptFor,
  sealCriteria,
  sealSigned,
  type LoadedKey,
} from '@mash/trust';
import { AgencyAuditHandler } from '../../apps/broker/src/audit/agency-audit.handler';
import { OutcomeAckHandler } from '../../apps/broker/src/outcomes/outcome-ack.handler';
import { AnswerHandler } from '../../apps/broker/src/queries/answer.handler';
import {
  adapterStoreUrl,
  auditSequenced,
  Federation,
  dropDatabases,
  eventually,
  seedSources,
  status,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';
import {
  SourceWatch,
  adapterService,
  agencyAuditEvent,
  claimsFor,
  forgeAnswer,
  forgeOutcome,
  forgeRequest,
  outsiderKey,
  serviceKeys,
  signClaims,
  tamper,
} from '../support/forge';

const ALL: Agency[] = ['police', 'health', 'education', 'social-care'];
/** Per consumer: enough variety to meet every shape below several times, in a few seconds. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 40);
const HUGE = 'x'.repeat(1_100_000);
const counts: Record<string, { bad: number; good: number }> = {};

function count(consumer: string, kind: 'bad' | 'good'): void {
  counts[consumer] ??= { bad: 0, good: 0 };
  counts[consumer][kind] += 1;
}

type Json = Record<string, unknown>;

/** Odd values for a field: wrong types, nulls, empties, a string longer than Kafka's 1 MB. */
const weird = fc.oneof(
  fc.constant(null),
  fc.integer(),
  fc.boolean(),
  fc.constant(''),
  fc.constant(HUGE),
  fc.constant({}),
  fc.constant([]),
  fc.string({ maxLength: 40 }),
);

/** A valid message with one field replaced or removed, or an unknown field added. */
function mutated(valid: Json): fc.Arbitrary<Json> {
  const keys = Object.keys(valid);
  return fc.oneof(
    fc.record({ k: fc.constantFrom(...keys), v: weird }).map(({ k, v }) => ({ ...valid, [k]: v })),
    fc.constantFrom(...keys).map((k) => {
      const copy = { ...valid };
      delete copy[k];
      return copy;
    }),
    fc
      .record({ k: fc.string({ minLength: 1, maxLength: 12 }), v: fc.jsonValue() })
      .filter(({ k }) => !keys.includes(k) && k !== '__proto__')
      .map(({ k, v }) => ({ ...valid, [k]: v })),
  );
}

/** A message's bytes, shown in a failure report by its first 300 characters only. */
class Bytes {
  constructor(readonly value: Buffer | null) {}
  [fc.toStringMethod](): string {
    const text = this.value?.toString('utf8') ?? 'null';
    return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  }
}

/** Raw bytes: nothing, not JSON, any JSON, a mutated valid message, or a crafted one (signed badly or over invalid content). */
function messages(valid: Json, crafted: Json[]): fc.Arbitrary<Bytes> {
  return fc
    .oneof(
      fc.constant(null),
      fc.string({ maxLength: 200 }).map((s) => Buffer.from(s)),
      fc.jsonValue().map((v) => Buffer.from(JSON.stringify(v) ?? 'null')),
      mutated(valid).map((m) => Buffer.from(JSON.stringify(m))),
      fc.constantFrom(...crafted).map((m) => Buffer.from(JSON.stringify(m))),
    )
    .map((value) => new Bytes(value));
}

const raw = (
  topic: string,
  message: Bytes | Buffer | null,
  headers: RawKafkaMessage['headers'] = {},
): RawKafkaMessage => ({
  topic,
  value: message instanceof Bytes ? message.value : message,
  headers,
});

describe('Kafka consumers under hostile input', () => {
  const federation = new Federation();
  let subjects: DemoSubject[];
  let brokerDb: Client;
  let healthDb: Client;
  let brokerSigner: LoadedKey;
  let policeSigner: LoadedKey;
  let outsider: LoadedKey;
  let policeWatch: SourceWatch | undefined;
  const heldWatches: SourceWatch[] = [];

  beforeAll(async () => {
    await dropDatabases(['broker', ...ALL]);
    subjects = seedSources();
    await federation.start();
    brokerDb = new Client({ connectionString: testDatabaseUrl('broker') });
    healthDb = new Client({ connectionString: adapterStoreUrl('health') });
    await Promise.all([brokerDb.connect(), healthDb.connect()]);
    brokerSigner = (await serviceKeys('broker')).signing;
    policeSigner = (await serviceKeys(adapterService('police'))).signing;
    outsider = await outsiderKey();
  }, 180_000);

  afterAll(async () => {
    const lines = Object.entries(counts).map(
      ([consumer, c]) =>
        `  ${consumer}: ${c.bad + c.good} messages (${c.bad} hostile, ${c.good} genuine)`,
    );
    policeWatch?.release();
    heldWatches.forEach((w) => w.release());
    process.stdout.write(`\n[consumer fuzz] messages taken per consumer:\n${lines.join('\n')}\n`);
    await brokerDb?.end();
    await healthDb?.end();
    await federation.stop();
  });

  const child = (agency: Agency) => subjects.find((s) => s.knownTo.includes(agency))!.subject;
  const http = () => request(federation.http());

  async function countRows(sql: string, params: unknown[] = []): Promise<number> {
    const db = sql.includes('mash_outcome') || sql.includes('sdk_') ? healthDb : brokerDb;
    // Refusals are audited outside any transaction, queued for the sequencer like the rest.
    if (sql.includes('audit_event')) await auditSequenced(brokerDb);
    return Number((await db.query<{ n: string }>(sql, params)).rows[0].n);
  }

  /** A case about a police child, with a police request waiting for its answer. */
  async function pendingPoliceQuery(): Promise<{
    caseId: string;
    queryId: string;
    requestHash: string;
  }> {
    const analyst = await federation.token('analyst');
    const caseId = await federation.openCaseWithoutConsent(child('police'), {
      referrer: { agency: 'social-care' },
      concerns: ['neglect'],
    });
    const q = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    const row = await brokerDb.query<{ request_hash: string }>(
      `SELECT request_hash FROM federated_query_agency WHERE query_id = $1 AND agency = 'police'`,
      [q.body.id],
    );
    return { caseId, queryId: q.body.id, requestHash: row.rows[0].request_hash };
  }

  let answered: { caseId: string; queryId: string } | undefined;

  it('broker, answers (mash.<agency>.query.responded.v1)', async () => {
    const sut = federation.broker.get(AnswerHandler);
    const topic = Topics.queryResponded('police');
    // The police adapter takes the request but its source lookup waits, so the request stays
    // pending for the answers fuzzed below (and the broker can still fetch police's keys).
    const watch = new SourceWatch(federation.adapters.get('police')!);
    policeWatch = watch;
    watch.hold();
    const { caseId, queryId, requestHash } = await pendingPoliceQuery();
    const valid = (await forgeAnswer('police', queryId, { requestHash })) as unknown as Json;
    const signedOver = async (content: Json) => ({
      ...valid,
      messageId: randomUUID(),
      body: await sealSigned(content, policeSigner, (await serviceKeys('broker')).encryptionJwk()),
    });
    const base = {
      queryId,
      agency: 'police',
      partnership: 'demo',
      requestHash,
      respondedAt: new Date().toISOString(),
    };
    const crafted: Json[] = [
      (await forgeAnswer('police', queryId, { requestHash, signer: outsider })) as unknown as Json,
      (await forgeAnswer('police', queryId, { requestHash: 'f'.repeat(64) })) as unknown as Json,
      (await forgeAnswer('health', queryId, { requestHash })) as unknown as Json,
      { ...valid, body: `${String(valid.body).slice(0, -6)}AAAAAA` },
      await signedOver({ ...base, status: 'maybe' }),
      await signedOver({ ...base, status: 'match', records: { occurrences: 'all of them' } }),
      await signedOver({ ...base, status: 'match', match: { confidence: 7, method: null } }),
      await signedOver({ ...base, partnership: 'other', status: 'no-match' }),
      await signedOver({ ...base, status: 'no-match', queryId: randomUUID() }),
      await signedOver({ ...base, status: null, records: HUGE }),
    ];
    const stateOf = async () =>
      (
        await brokerDb.query<{ status: string; records_sealed: string | null }>(
          `SELECT status, records_sealed FROM federated_query_agency WHERE query_id = $1 AND agency = 'police'`,
          [queryId],
        )
      ).rows[0];
    await fc.assert(
      fc.asyncProperty(messages(valid, crafted), async (value) => {
        const refusedBefore = await countRows(
          `SELECT count(*) AS n FROM audit_event WHERE action = 'query.answer.refused'`,
        );
        const outcome = await sut.handle('police', raw(topic, value));
        count('broker answers', 'bad');
        expect(['dead-lettered', 'rejected']).toContain(outcome);
        if (outcome === 'rejected')
          expect(
            await countRows(
              `SELECT count(*) AS n FROM audit_event WHERE action = 'query.answer.refused'`,
            ),
          ).toBe(refusedBefore + 1);
        const state = await stateOf();
        expect(['pending', 'timed-out']).toContain(state.status);
        expect(state.records_sealed).toBeNull();
      }),
      { numRuns: RUNS },
    );
    expect(await sut.handle('police', raw(topic, Buffer.from(JSON.stringify(valid))))).toBe(
      'accepted',
    );
    count('broker answers', 'good');
    expect((await stateOf()).status).toBe('match');
    watch.release();
    answered = { caseId, queryId };
  });

  it('broker, answers arriving together: one transaction, each audited under its own message', async () => {
    const sut = federation.broker.get(AnswerHandler);
    const agencies: Agency[] = ['police', 'health', 'education'];
    // The adapters' own answers wait, so the only answers are the ones below.
    const watches = agencies.map((a) => new SourceWatch(federation.adapters.get(a)!));
    heldWatches.push(...watches);
    watches.forEach((w) => w.hold());
    const caseId = await federation.openCaseWithoutConsent(child('police'), {
      referrer: { agency: 'social-care' },
      concerns: ['neglect'],
    });
    const q = await http()
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${await federation.token('analyst')}`)
      .send({ purpose: 'mash-triage', agencies })
      .expect(status(202));
    const queryId = q.body.id as string;
    const hashes = new Map(
      (
        await brokerDb.query<{ agency: Agency; request_hash: string }>(
          `SELECT agency, request_hash FROM federated_query_agency WHERE query_id = $1`,
          [queryId],
        )
      ).rows.map((r) => [r.agency, r.request_hash]),
    );
    const correlation = new Map(agencies.map((a) => [a, randomUUID()]));
    const deliver = async (agency: Agency) => {
      const answer = await forgeAnswer(agency, queryId, { requestHash: hashes.get(agency)! });
      const message = raw(Topics.queryResponded(agency), Buffer.from(JSON.stringify(answer)), {
        [Headers.correlationId]: correlation.get(agency),
      });
      // As the Kafka transport calls it: the message's correlation id is the context.
      return handleKafkaMessage(message, () => sut.handle(agency, message));
    };

    // Another transaction holds the query's row, so police's answer waits in its transaction and
    // the next two arrive while it is being written.
    const locker = new Client({ connectionString: testDatabaseUrl('broker') });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM federated_query WHERE id = $1 FOR UPDATE', [queryId]);
      const first = deliver('police');
      await eventually(async () =>
        (await countRows(
          `SELECT count(*) AS n FROM pg_stat_activity
            WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        )) >= 1
          ? true
          : undefined,
      );
      const rest = [deliver('health'), deliver('education')];
      await eventually(async () => (sut.waiting === 2 ? true : undefined));
      await locker.query('COMMIT');
      expect(await Promise.all([first, ...rest])).toEqual(['accepted', 'accepted', 'accepted']);
    } finally {
      await locker.end();
    }
    count('broker answers', 'good');

    // Health's and education's answers committed in one transaction, after police's.
    const stored = new Map(
      (
        await brokerDb.query<{ agency: Agency; tx: string; status: string }>(
          `SELECT agency, xmin::text AS tx, status FROM federated_query_agency WHERE query_id = $1`,
          [queryId],
        )
      ).rows.map((r) => [r.agency, r]),
    );
    expect(agencies.map((a) => stored.get(a)?.status)).toEqual(['match', 'match', 'match']);
    expect(stored.get('health')!.tx).toBe(stored.get('education')!.tx);
    expect(stored.get('police')!.tx).not.toBe(stored.get('health')!.tx);
    const query = await brokerDb.query<{ status: string }>(
      `SELECT status FROM federated_query WHERE id = $1`,
      [queryId],
    );
    expect(query.rows[0].status).toBe('complete');
    // Each answer's audit entry carries its own message's correlation id, not the batch starter's.
    await auditSequenced(brokerDb);
    const audited = await brokerDb.query<{ agency: Agency; correlation_id: string }>(
      `SELECT agency, correlation_id FROM audit_event
        WHERE query_id = $1 AND action = 'query.answer.received' ORDER BY agency`,
      [queryId],
    );
    expect(audited.rows.map((r) => [r.agency, r.correlation_id])).toEqual(
      [...agencies].sort().map((a) => [a, correlation.get(a)]),
    );
    watches.forEach((w) => w.release());
  });

  it('broker, outcome acknowledgements (mash.<agency>.case.outcome.acknowledged.v1)', async () => {
    expect(answered).toBeDefined();
    const sut = federation.broker.get(OutcomeAckHandler);
    const topic = Topics.caseOutcomeAcknowledged('social-care');
    // The referring agency's adapter is down, so its delivery waits for the acknowledgements below.
    await federation.stopAdapter('social-care');
    const manager = await federation.token('manager', 'demo', 'test-manager');
    const recorded = await http()
      .post(`/api/v1/cases/${answered!.caseId}/outcome`)
      .set('Authorization', `Bearer ${manager}`)
      .send({ outcome: 'early-help', rationale: 'Family agreed to an early help assessment.' })
      .expect(status(201));
    const outcomeId = recorded.body.id as string;
    const valid: CaseOutcomeAcknowledgedV1 = {
      type: 'case.outcome.acknowledged',
      version: 1,
      messageId: randomUUID(),
      outcomeId,
      caseId: answered!.caseId,
      partnership: 'demo',
      agency: 'social-care',
      recordedAt: new Date().toISOString(),
    };
    const crafted: Json[] = [
      { ...valid, agency: 'police' },
      { ...valid, partnership: 'other' },
      { ...valid, caseId: randomUUID() },
      { ...valid, outcomeId: randomUUID() },
    ];
    const deliveryStatus = async () =>
      (
        await brokerDb.query<{ status: string }>(
          `SELECT status FROM case_outcome_delivery WHERE outcome_id = $1 AND agency = 'social-care'`,
          [outcomeId],
        )
      ).rows[0].status;
    expect(await deliveryStatus()).toBe('pending');
    await fc.assert(
      fc.asyncProperty(messages(valid as unknown as Json, crafted), async (value) => {
        const outcome = await sut.handle('social-care', raw(topic, value));
        count('broker outcome acknowledgements', 'bad');
        expect(['dead-lettered', 'ignored']).toContain(outcome);
        expect(await deliveryStatus()).toBe('pending');
      }),
      { numRuns: RUNS },
    );
    expect(await sut.handle('social-care', raw(topic, Buffer.from(JSON.stringify(valid))))).toBe(
      'delivered',
    );
    count('broker outcome acknowledgements', 'good');
    expect(await deliveryStatus()).toBe('delivered');
  });

  it('broker, agency audit events (mash.audit.v1)', async () => {
    const sut = federation.broker.get(AgencyAuditHandler);
    const content = (extra: Json = {}): Json => ({
      agency: 'health',
      partnership: 'demo',
      action: 'agency.source.searched',
      outcome: 'success',
      details: { fuzz: 'hostile' },
      occurredAt: new Date().toISOString(),
      ...extra,
    });
    const valid = (await agencyAuditEvent('health', content())) as unknown as Json;
    const crafted: Json[] = [];
    for (const extra of [
      { partnership: '' },
      { partnership: 'other' },
      { agency: 'police' },
      { details: null },
      { details: { fuzz: 'hostile', blob: HUGE } },
      { action: 'NOT AN ACTION' },
      { action: 42 },
      { outcome: 'maybe' },
      { occurredAt: 'yesterday' },
      { unexpected: true },
    ])
      crafted.push((await agencyAuditEvent('health', content(extra))) as unknown as Json);
    crafted.push(
      (await agencyAuditEvent('health', content(), { signer: outsider })) as unknown as Json,
    );
    crafted.push(
      (await agencyAuditEvent('health', content(), {
        signer: policeSigner,
        partnership: 'other',
      })) as unknown as Json,
    );
    const hostileRecorded = () =>
      countRows(
        `SELECT count(*) AS n FROM audit_event WHERE actor_type = 'agency' AND details->>'fuzz' = 'hostile' AND action <> 'agency.event.refused'`,
      );
    await fc.assert(
      fc.asyncProperty(messages(valid, crafted), async (value) => {
        const refusedBefore = await countRows(
          `SELECT count(*) AS n FROM audit_event WHERE action = 'agency.event.refused'`,
        );
        const outcome = await sut.handle(raw(Topics.audit, value));
        count('broker agency audit events', 'bad');
        expect(['dead-lettered', 'refused']).toContain(outcome);
        if (outcome === 'refused')
          expect(
            await countRows(
              `SELECT count(*) AS n FROM audit_event WHERE action = 'agency.event.refused'`,
            ),
          ).toBe(refusedBefore + 1);
        expect(await hostileRecorded()).toBe(0);
        // The next genuine event is recorded.
        const marker = randomUUID();
        const good = await agencyAuditEvent('health', content({ details: { fuzz: marker } }));
        expect(await sut.handle(raw(Topics.audit, Buffer.from(JSON.stringify(good))))).toBe(
          'recorded',
        );
        count('broker agency audit events', 'good');
      }),
      { numRuns: RUNS },
    );
  });

  it('broker, agency audit events in one batch: each gets the outcome it would get alone', async () => {
    const sut = federation.broker.get(AgencyAuditHandler);
    const marker = randomUUID();
    const content = (n: number): Json => ({
      agency: 'health',
      partnership: 'demo',
      action: 'agency.source.searched',
      outcome: 'success',
      details: { batch: marker, n },
      occurredAt: new Date().toISOString(),
    });
    const bytes = (event: unknown) => raw(Topics.audit, Buffer.from(JSON.stringify(event)));
    const first = await agencyAuditEvent('health', content(1));
    const second = await agencyAuditEvent('health', content(2));
    const forged = await agencyAuditEvent('health', content(3), { signer: outsider });
    // The first event's signature under another envelope: a replay, even inside one batch.
    const replay = { ...first, messageId: randomUUID() };
    const outcomes = await sut.handleMany([
      bytes(first),
      raw(Topics.audit, Buffer.from('{not json')),
      bytes(forged),
      bytes(second),
      bytes(first), // Kafka delivering the same message twice
      bytes(replay),
    ]);
    expect(outcomes).toEqual([
      'recorded',
      'dead-lettered',
      'refused',
      'recorded',
      'duplicate',
      'refused',
    ]);
    expect(
      await countRows(
        `SELECT count(*) AS n FROM (SELECT 1 FROM audit_event WHERE details->>'batch' = $1
                                  UNION ALL SELECT 1 FROM audit_pending WHERE details->>'batch' = $1) e`,
        [marker],
      ),
    ).toBe(2);
    // Delivered again as a whole (a chunk whose commit was not acknowledged): nothing twice.
    expect(await sut.handleMany([bytes(first), bytes(second)])).toEqual(['duplicate', 'duplicate']);
  });

  it('adapter SDK, query requests (mash.<agency>.query.requested.v1)', async () => {
    const adapter = federation.adapters.get('health')!;
    const sut = adapter.get(QueryRequestProcessor);
    const watch = new SourceWatch(adapter);
    const topic = Topics.queryRequested('health');
    const subject = child('health');
    const genuine = async () =>
      (await forgeRequest('health', subject, { signer: brokerSigner })).message as unknown as Json;
    const valid = await genuine();
    const healthKeys = await serviceKeys(adapterService('health'));
    // A grant the broker really signed, over criteria that are not valid subject criteria.
    const badCriteria = async (criteria: unknown): Promise<Json> => {
      const sealed = sealCriteria(criteria);
      const queryId = randomUUID();
      const claims = claimsFor('health', queryId, criteriaHash(sealed));
      return {
        ...(await genuine()),
        queryId,
        grant: await signClaims(claims, { signer: brokerSigner }),
        criteria: await encryptFor(sealed, healthKeys.encryptionJwk()),
      };
    };
    const crafted: Json[] = [
      (await forgeRequest('health', subject, { signer: outsider })).message as unknown as Json,
      (
        await forgeRequest('health', subject, {
          signer: brokerSigner,
          grantCriteria: { ...subject, givenName: `${subject.givenName}x` },
        })
      ).message as unknown as Json,
      (await forgeRequest('health', subject, { signer: brokerSigner, audience: 'police' }))
        .message as unknown as Json,
      { ...valid, grant: tamper(String(valid.grant), (p) => (p.sub = 'someone-else')) },
      {
        ...valid,
        criteria: await encryptFor(
          { nonce: 'n', criteria: subject },
          (await serviceKeys(adapterService('education'))).encryptionJwk(),
        ),
      },
      await badCriteria({ givenName: 7, familyName: null, dateOfBirth: 'soon' }),
      await badCriteria(null),
      await badCriteria({ givenName: HUGE, familyName: 'X', dateOfBirth: '2015-01-01' }),
    ];
    await fc.assert(
      fc.asyncProperty(messages(valid, crafted), async (value) => {
        const touched = watch.touched;
        const outcome: ProcessOutcome = await sut.process(raw(topic, value));
        count('adapter query requests', 'bad');
        expect(['dead-lettered', 'rejected']).toContain(outcome.kind);
        expect(watch.touched).toBe(touched);
        // The next genuine request is answered.
        const next = await sut.process(raw(topic, Buffer.from(JSON.stringify(await genuine()))));
        count('adapter query requests', 'good');
        expect(next.kind).toBe('answered');
      }),
      { numRuns: RUNS },
    );
  });

  it('adapter SDK, case outcomes (mash.<agency>.case.outcome.v1)', async () => {
    const sut = federation.adapters.get('health')!.get(OutcomeProcessor);
    const topic = Topics.caseOutcome('health');
    const decidedAt = new Date().toISOString();
    const valid = (await forgeOutcome('health', { outcome: 'nfa', decidedAt })) as unknown as Json;
    const crafted: Json[] = [
      (await forgeOutcome(
        'health',
        { outcome: 'nfa', decidedAt },
        { signer: null },
      )) as unknown as Json,
      (await forgeOutcome(
        'health',
        { outcome: 'nfa', decidedAt },
        { signer: outsider },
      )) as unknown as Json,
      (await forgeOutcome('health', { outcome: 'x'.repeat(41), decidedAt })) as unknown as Json,
      (await forgeOutcome('health', { outcome: null, decidedAt })) as unknown as Json,
      (await forgeOutcome('health', { outcome: 'nfa', decidedAt: 'tomorrow' })) as unknown as Json,
      (await forgeOutcome('health', {
        outcome: 'nfa',
        decidedAt,
        subjectRef: HUGE,
      })) as unknown as Json,
      (await forgeOutcome('health', {
        outcome: 'nfa',
        decidedAt,
        agency: 'police',
      })) as unknown as Json,
      { ...valid, outcomeId: randomUUID() },
    ];
    const stored = () =>
      countRows(
        `SELECT (SELECT count(*) FROM mash_outcome) + (SELECT count(*) FROM sdk_outcome_inbox) AS n`,
      );
    await fc.assert(
      fc.asyncProperty(messages(valid, crafted), async (value) => {
        const before = await stored();
        const outcome = await sut.process(raw(topic, value));
        count('adapter case outcomes', 'bad');
        expect(outcome).toBe('dead-lettered');
        expect(await stored()).toBe(before);
        const good = await forgeOutcome('health', { outcome: 'early-help', decidedAt });
        expect(await sut.process(raw(topic, Buffer.from(JSON.stringify(good))))).toBe('recorded');
        count('adapter case outcomes', 'good');
      }),
      { numRuns: RUNS },
    );
  });

  it('adapter SDK, agreement statuses (mash.<agency>.agreements.status.v1)', async () => {
    const sut = new AgreementStatusRegistry(
      'health',
      createLocalJWKSet((await serviceKeys('broker')).jwks),
    );
    const agreementId = randomUUID();
    let clock = Date.UTC(2026, 0, 1);
    const sign = async (
      claims: Json,
      opts: { signer?: LoadedKey; typ?: string } = {},
    ): Promise<Json> => {
      const signer = opts.signer ?? brokerSigner;
      const signed = await new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
        .setProtectedHeader({
          alg: SIGNING_ALG,
          kid: signer.kid,
          typ: opts.typ ?? AGREEMENT_STATUS_JWS_TYPE,
        })
        .sign(signer.privateKey);
      return {
        type: 'agreement.status.changed',
        version: 1,
        messageId: randomUUID(),
        partnership: 'demo',
        agency: 'health',
        agreementId,
        agreementVersion: 1,
        signed,
      };
    };
    const claims = (
      status: AgreementStatusClaimsV1['status'],
      at: number,
      extra: Json = {},
    ): Json => ({
      partnership: 'demo',
      agency: 'health',
      agreementId,
      agreementVersion: 1,
      status,
      hash: 'a'.repeat(64),
      changedAt: new Date(at).toISOString(),
      issuedAt: new Date(at).toISOString(),
      ...extra,
    });
    const oldActive = await sign(claims('active', clock));
    expect(await sut.apply(JSON.stringify(oldActive))).toBe('applied');
    clock += 60_000;
    expect(await sut.apply(JSON.stringify(await sign(claims('suspended', clock))))).toBe('applied');
    const valid = await sign(claims('suspended', clock));
    const crafted: Json[] = [
      oldActive,
      await sign(claims('active', clock + 1), { signer: outsider }),
      await sign(claims('active', clock + 1), { typ: 'JWT' }),
      await sign(claims('paused' as never, clock + 1)),
      await sign(claims('active', clock + 1, { agency: 'police' })),
      await sign(claims('active', clock + 1, { agreementVersion: 2 })),
      await sign(claims('active', clock + 1, { changedAt: 'later' })),
      await sign(claims('active', clock + 1, { hash: HUGE })),
    ];
    await fc.assert(
      fc.asyncProperty(messages(valid, crafted), async (value) => {
        const outcome = await sut.apply(value.value);
        count('adapter agreement statuses', 'bad');
        expect(['invalid', 'stale']).toContain(outcome);
        expect(sut.statusOf('demo', agreementId, 1)).toBe('suspended');
        // The next genuine status (a re-statement, later) is applied.
        clock += 1000;
        expect(await sut.apply(JSON.stringify(await sign(claims('suspended', clock))))).toBe(
          'applied',
        );
        count('adapter agreement statuses', 'good');
      }),
      { numRuns: RUNS },
    );
  });

  it('a hostile message on the wire is consumed, not redelivered: the next genuine one arrives', async () => {
    // Through the real transport once per broker topic family, to show the handlers above are
    // what Kafka calls and that their offsets move on.
    const marker = randomUUID();
    const { publishRaw } = await import('../support/kafka');
    await publishRaw(Topics.audit, JSON.stringify({ type: 'audit.agency-event', partnership: '' }));
    await publishRaw(
      Topics.audit,
      JSON.stringify(
        await agencyAuditEvent('health', {
          agency: 'health',
          partnership: 'demo',
          action: 'agency.source.searched',
          outcome: 'success',
          details: { fuzz: marker },
          occurredAt: new Date().toISOString(),
        }),
      ),
    );
    await eventually(async () =>
      (await countRows(`SELECT count(*) AS n FROM audit_event WHERE details->>'fuzz' = $1`, [
        marker,
      ])) === 1
        ? true
        : undefined,
    );
  });
});
