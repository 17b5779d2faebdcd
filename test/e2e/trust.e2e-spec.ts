/**
 * Trust between broker and adapters, attacked from Kafka: whoever can write to a topic can
 * still not make an adapter read its source, nor make the broker store an answer. Every case
 * proves the source was not touched with a counter on the police adapter's connector.
 */
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { Client } from 'pg';
import { Topics, type QueryRequestedV1, type QueryRespondedV1 } from '@mash/contracts';
import {
  auditSequenced,
  adapterStoreUrl,
  Federation,
  dropDatabases,
  eventually,
  seedSources,
  status,
  testDatabaseUrl,
  type DemoSubject,
} from '../support/federation';
import { TopicRecorder, publishRaw } from '../support/kafka';
import {
  SourceWatch,
  forgeAnswer,
  forgeRequest,
  headersOf,
  publishMessage,
  openReply,
  outsiderKey,
  requestHashOf,
  serviceKeys,
  tamper,
  unsigned,
  type ForgedRequest,
  type GrantOptions,
} from '../support/forge';

const ALL = ['police', 'health', 'education', 'social-care'] as const;
const REQUESTS = Topics.queryRequested('police');
const REPLIES = Topics.queryResponded('police');

interface AuditRow {
  action: string;
  query_id: string | null;
  agency: string | null;
  details: Record<string, unknown>;
}

describe('Trust between broker and adapters', () => {
  const federation = new Federation();
  let subjects: DemoSubject[];
  let analyst: string;
  let brokerDb: Client;
  let policeDb: Client;
  let watch: SourceWatch;
  let requests: TopicRecorder;
  let replies: TopicRecorder;

  beforeAll(async () => {
    await dropDatabases(['broker', ...ALL]);
    subjects = seedSources();
    await federation.start();
    analyst = await federation.token('analyst');
    brokerDb = new Client({ connectionString: testDatabaseUrl('broker') });
    policeDb = new Client({ connectionString: adapterStoreUrl('police') });
    await Promise.all([brokerDb.connect(), policeDb.connect()]);
    watch = new SourceWatch(federation.adapters.get('police')!);
    requests = await new TopicRecorder(REQUESTS).start();
    replies = await new TopicRecorder(REPLIES).start();
  }, 180_000);

  afterAll(async () => {
    watch?.release();
    await requests?.stop();
    await replies?.stop();
    await brokerDb?.end();
    await policeDb?.end();
    await federation.stop();
  });

  const policeChild = (): DemoSubject['subject'] =>
    subjects.find((s) => s.knownTo.includes('police'))!.subject;

  /** Entries sequenced so far (the sequencer first: a missing entry is then really missing). */
  async function audit(where: string, params: unknown[]): Promise<AuditRow[]> {
    await auditSequenced(brokerDb);
    const res = await brokerDb.query<AuditRow>(
      `SELECT action, query_id, agency, details FROM audit_event WHERE ${where} ORDER BY seq`,
      params,
    );
    return res.rows;
  }

  /** Waits until the adapter's signed refusal of `queryId` is in the broker's audit log; returns its reason codes. */
  async function adapterRefusals(queryId: string, count = 1): Promise<string[]> {
    const rows = await eventually(async () => {
      const found = await audit(`action = 'agency.grant.rejected' AND query_id = $1`, [queryId]);
      return found.length >= count ? found : undefined;
    });
    return rows.map((r) => String(r.details.reason));
  }

  async function sendRequest(message: QueryRequestedV1): Promise<void> {
    await publishMessage(REQUESTS, message);
  }

  /** The refusal the adapter sent back, opened and verified as the broker would. */
  async function replyTo(queryId: string): Promise<{ status: string; code: string | undefined }> {
    const reply = await eventually(async () => replies.messages.find((m) => m.key === queryId));
    const envelope = JSON.parse(reply.value) as QueryRespondedV1;
    const answer = await openReply('police', envelope.body);
    return { status: answer.status, code: answer.rejection?.code };
  }

  async function ledgerHas(grantId: string): Promise<boolean> {
    const res = await policeDb.query('SELECT 1 FROM sdk_grant_ledger WHERE grant_id = $1', [
      grantId,
    ]);
    return res.rowCount === 1;
  }

  async function askPolice(): Promise<{ queryId: string; request: QueryRequestedV1 }> {
    const opened = await request(federation.http())
      .post('/api/v1/referrals')
      .set('Authorization', `Bearer ${analyst}`)
      .send({
        subject: policeChild(),
        referrer: { agency: 'education' },
        concerns: ['physical-abuse'],
      })
      .expect(status(201));
    const manager = await federation.token('manager', 'demo', 'test-manager');
    await request(federation.http())
      .put(`/api/v1/cases/${opened.body.id}/consent`)
      .set('Authorization', `Bearer ${manager}`)
      .send({
        status: 'not-sought',
        reason: 'risk-of-significant-harm',
        justification: 'Seeking consent could place the child at risk of significant harm.',
      })
      .expect(status(200));
    const accepted = await request(federation.http())
      .post(`/api/v1/cases/${opened.body.id}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['police'] })
      .expect(status(202));
    const queryId = accepted.body.id as string;
    const sent = await eventually(async () => requests.messages.find((m) => m.key === queryId));
    return { queryId, request: JSON.parse(sent.value) as QueryRequestedV1 };
  }

  async function policePart(
    queryId: string,
  ): Promise<{ status: string; records_sealed: string | null }> {
    const res = await brokerDb.query<{ status: string; records_sealed: string | null }>(
      `SELECT status, records_sealed FROM federated_query_agency WHERE query_id = $1 AND agency = 'police'`,
      [queryId],
    );
    return res.rows[0];
  }

  describe('an adapter refuses a forged request before it touches its source', () => {
    const broker = async (): Promise<GrantOptions> => ({
      signer: (await serviceKeys('broker')).signing,
    });
    const now = (): number => Math.floor(Date.now() / 1000);

    const cases: Array<[string, () => Promise<ForgedRequest>, string]> = [
      [
        'signed with a key the broker never published',
        async () => forgeRequest('police', policeChild(), { signer: await outsiderKey() }),
        'GRANT.UNKNOWN_KEY',
      ],
      [
        "signed with another key under the broker's key id",
        async () =>
          forgeRequest('police', policeChild(), {
            signer: await outsiderKey((await serviceKeys('broker')).signing.kid),
          }),
        'GRANT.BAD_SIGNATURE',
      ],
      [
        'with claims changed after signing (a category added)',
        async () =>
          forgeRequest('police', policeChild(), {
            ...(await broker()),
            token: (_claims, token) =>
              tamper(token, (p) => {
                const mash = p.mash as { categories: unknown[] };
                mash.categories.push({
                  name: 'intelligence',
                  fields: [{ name: 'summary', action: 'include' }],
                });
              }),
          }),
        'GRANT.BAD_SIGNATURE',
      ],
      [
        'that has expired',
        async () =>
          forgeRequest('police', policeChild(), {
            ...(await broker()),
            issuedAt: now() - 600,
            expiresAt: now() - 300,
          }),
        'GRANT.EXPIRED',
      ],
      [
        'issued to another agency',
        async () =>
          forgeRequest('police', policeChild(), { ...(await broker()), audience: 'health' }),
        'GRANT.WRONG_AUDIENCE',
      ],
      [
        'issued for another subject',
        async () =>
          forgeRequest('police', policeChild(), {
            ...(await broker()),
            grantCriteria: { givenName: 'Other', familyName: 'Child', dateOfBirth: '2014-01-01' },
          }),
        'GRANT.CRITERIA_MISMATCH',
      ],
      [
        'with alg: none',
        async () =>
          forgeRequest('police', policeChild(), {
            ...(await broker()),
            token: (_c, token) => unsigned(token),
          }),
        'GRANT.ALGORITHM_REFUSED',
      ],
      [
        'with the signature stripped',
        async () =>
          forgeRequest('police', policeChild(), {
            ...(await broker()),
            token: (_c, token) => unsigned(token, 'EdDSA'),
          }),
        'GRANT.BAD_SIGNATURE',
      ],
    ];

    it.each(cases)('a grant %s', async (_name, build, code) => {
      const before = watch.touched;
      const forged = await build();
      await sendRequest(forged.message);

      expect(await adapterRefusals(forged.queryId)).toEqual([code]);
      expect(await replyTo(forged.queryId)).toEqual({ status: 'rejected', code });
      expect(watch.touched).toBe(before);
      expect(await ledgerHas(forged.grantId)).toBe(false);
    });

    it('a genuine grant moved onto another request is refused as a mismatch', async () => {
      const before = watch.touched;
      const forged = await forgeRequest('police', policeChild(), await broker());
      // The grant is validly signed for query A; the envelope claims query B.
      const moved: QueryRequestedV1 = {
        ...forged.message,
        queryId: randomUUID(),
        messageId: randomUUID(),
      };
      await sendRequest(moved);
      expect(await adapterRefusals(moved.queryId)).toEqual(['GRANT.MISMATCH']);
      expect(watch.touched).toBe(before);
    });

    it('a request published straight onto the topic by a client that is not the broker is refused and audited, and the source is not read', async () => {
      const before = watch.touched;
      // The client holds no broker key: it signs with its own, under whatever kid it likes.
      const outsider = await outsiderKey('sig-broker');
      const forged = await forgeRequest('police', policeChild(), { signer: outsider });
      await publishRaw(REQUESTS, JSON.stringify(forged.message), headersOf(forged.message));

      const [reason] = await adapterRefusals(forged.queryId);
      expect(reason).toMatch(/^GRANT\.(UNKNOWN_KEY|BAD_SIGNATURE)$/);
      const rows = await audit(`action = 'agency.grant.rejected' AND query_id = $1`, [
        forged.queryId,
      ]);
      expect(rows[0]).toMatchObject({
        agency: 'police',
        details: expect.objectContaining({ signed: true }),
      });
      expect(watch.touched).toBe(before);
      expect(await ledgerHas(forged.grantId)).toBe(false);
    });
  });

  describe('a replayed grant', () => {
    it('is refused when sent again under a new message id, also after the adapter restarts, and the source is read only once', async () => {
      const before = { find: watch.findSubject, fetch: watch.fetchRecords };
      const { queryId, request: genuine } = await askPolice();
      await eventually(async () =>
        (await policePart(queryId)).status === 'match' ? true : undefined,
      );
      expect(watch.findSubject).toBe(before.find + 1);
      const afterGenuine = watch.touched;

      await sendRequest({ ...genuine, messageId: randomUUID() });
      expect(await adapterRefusals(queryId)).toEqual(['GRANT.REPLAYED']);
      expect(watch.touched).toBe(afterGenuine);

      // Redelivery of the very same message is not a replay: the stored answer goes out again.
      const repliesFor = () => replies.messages.filter((m) => m.key === queryId);
      await eventually(async () => (repliesFor().length === 2 ? true : undefined));
      await sendRequest(genuine);
      const resent = await eventually(async () => repliesFor()[2]);
      expect(
        (await openReply('police', (JSON.parse(resent.value) as QueryRespondedV1).body)).status,
      ).toBe('match');
      expect(watch.touched).toBe(afterGenuine);

      await federation.stopAdapter('police');
      const restarted = await federation.startAdapter('police');
      watch = new SourceWatch(restarted);
      await sendRequest({ ...genuine, messageId: randomUUID() });
      expect(await adapterRefusals(queryId, 2)).toEqual(['GRANT.REPLAYED', 'GRANT.REPLAYED']);
      expect(watch.touched).toBe(0);
      expect((await policePart(queryId)).status).toBe('match');
    }, 90_000);
  });

  describe('the broker refuses an answer it cannot trust, records why, and stores nothing', () => {
    let queryId: string;
    let requestHash: string;

    beforeAll(async () => {
      // The genuine lookup waits at the source, so the police part stays open while forged answers arrive.
      watch.hold();
      const asked = await askPolice();
      queryId = asked.queryId;
      requestHash = requestHashOf(asked.request.grant);
      await eventually(async () => (watch.findSubject > 0 ? true : undefined));
    });

    afterAll(() => watch.release());

    async function refusal(envelope: QueryRespondedV1): Promise<string> {
      const rows = await eventually(async () => {
        const found = await audit(
          `action = 'query.answer.refused' AND details->>'messageId' = $1`,
          [envelope.messageId],
        );
        return found.length > 0 ? found : undefined;
      });
      return String(rows[0].details.code);
    }

    async function storedNothing(): Promise<void> {
      const part = await policePart(queryId);
      expect(part.records_sealed).toBeNull();
      expect(['pending', 'timed-out']).toContain(part.status);
      expect(await audit(`action = 'query.answer.received' AND query_id = $1`, [queryId])).toEqual(
        [],
      );
    }

    it('an answer signed with the health adapter key on the police topic', async () => {
      const forged = await forgeAnswer('police', queryId, {
        requestHash,
        signer: (await serviceKeys('adapter-health')).signing,
      });
      await publishMessage(REPLIES, forged);
      expect(await refusal(forged)).toBe('TRUST.BAD_SIGNATURE');
      await storedNothing();
    });

    it('an answer from health put on the police topic', async () => {
      const forged = await forgeAnswer('health', queryId, { requestHash });
      await publishMessage(REPLIES, forged);
      expect(await refusal(forged)).toBe('ANSWER.WRONG_TOPIC');
      await storedNothing();
    });

    it('an answer whose request hash does not match the grant sent', async () => {
      const forged = await forgeAnswer('police', queryId, {
        requestHash: requestHashOf('another.grant.token'),
      });
      await publishMessage(REPLIES, forged);
      expect(await refusal(forged)).toBe('ANSWER.REQUEST_HASH_MISMATCH');
      await storedNothing();
    });

    it('an answer for a query that does not exist', async () => {
      const missing = randomUUID();
      const forged = await forgeAnswer('police', missing, { requestHash });
      await publishMessage(REPLIES, forged);
      expect(await refusal(forged)).toBe('ANSWER.UNKNOWN_QUERY');
      const res = await brokerDb.query('SELECT 1 FROM federated_query_agency WHERE query_id = $1', [
        missing,
      ]);
      expect(res.rowCount).toBe(0);
      await storedNothing();
    });

    it('while an answer signed with the registered police key and bound to the grant is accepted (the forgeries above are refused for their flaw alone)', async () => {
      const genuine = await forgeAnswer('police', queryId, { requestHash });
      await publishMessage(REPLIES, genuine);
      const part = await eventually(async () => {
        const p = await policePart(queryId);
        return p.records_sealed ? p : undefined;
      });
      expect(part.status).toBe('match');
      expect(part.records_sealed).toMatch(/^env1\./);
      expect(
        await audit(`action = 'query.answer.received' AND query_id = $1`, [queryId]),
      ).toHaveLength(1);
    });
  });
});
