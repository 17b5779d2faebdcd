import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalJWKSet } from 'jose';
import type { DataSource } from 'typeorm';
import type { JwksClient } from '@mash/common';
import { Topics, type QueryRequestedV1, type SubjectCriteria } from '@mash/contracts';
import {
  FileKeyRingStore,
  ServiceKeys,
  criteriaHash,
  encryptFor,
  openSigned,
  sealCriteria,
  signGrant,
} from '@mash/trust';
import { AgencyAuditPublisher } from './audit';
import type { FindResult, SourceConnector } from './connector';
import type { GrantLedgerEntry } from './ledger';
import { AdapterMetrics } from './metrics';
import { QueryRequestProcessor, type IncomingMessage } from './processor';
import type { Publisher } from './publisher';

const subject: SubjectCriteria = {
  givenName: 'Ada',
  familyName: 'Example',
  dateOfBirth: '2015-05-01',
};

/** The grant ledger as an in-memory table with the SQL behaviour the processor relies on. */
function fakeLedger() {
  const rows = new Map<string, Partial<GrantLedgerEntry>>();
  const repo = {
    createQueryBuilder: () => {
      let row: Partial<GrantLedgerEntry> = {};
      const qb = {
        insert: () => qb,
        values: (v: Partial<GrantLedgerEntry>) => ((row = v), qb),
        orIgnore: () => qb,
        execute: () => {
          if (rows.has(row.grantId!)) return Promise.resolve({ raw: [] });
          rows.set(row.grantId!, { ...row });
          return Promise.resolve({ raw: [row] });
        },
      };
      return qb;
    },
    findOneBy: ({ grantId }: { grantId: string }) => Promise.resolve(rows.get(grantId) ?? null),
    update: ({ grantId }: { grantId: string }, patch: Partial<GrantLedgerEntry>) => {
      rows.set(grantId, { ...rows.get(grantId), ...patch });
      return Promise.resolve();
    },
  };
  return { rows, dataSource: { getRepository: () => repo } as unknown as DataSource };
}

describe(QueryRequestProcessor.name, () => {
  let dir: string;
  let broker: ServiceKeys;
  let adapter: ServiceKeys;
  let stranger: ServiceKeys;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mash-processor-'));
    const store = new FileKeyRingStore(dir);
    broker = await ServiceKeys.fromRing(await store.loadOrCreate('broker'));
    adapter = await ServiceKeys.fromRing(await store.loadOrCreate('adapter-police'));
    stranger = await ServiceKeys.fromRing(await store.loadOrCreate('stranger'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const newTestProcessor = (
    found: FindResult = {
      status: 'match',
      subjectRef: 'ref-1',
      confidence: 0.99,
      method: 'probabilistic',
    },
  ) => {
    const connector = {
      agency: 'police',
      categories: ['occurrences', 'warnings'],
      findSubject: jest.fn<Promise<FindResult>, [SubjectCriteria]>().mockResolvedValue(found),
      fetchRecords: jest.fn().mockResolvedValue({
        occurrences: [{ occurrenceRef: 'OCC-1', summary: 'free text the agreement excludes' }],
      }),
    } satisfies SourceConnector;
    const publisher = {
      publish: jest.fn<Promise<void>, Parameters<Publisher['publish']>>(),
      publishAll: jest.fn<Promise<void>, Parameters<Publisher['publishAll']>>(),
    };
    publisher.publish.mockResolvedValue();
    publisher.publishAll.mockResolvedValue();
    const audit = new AgencyAuditPublisher('police', adapter, publisher);
    const ledger = fakeLedger();
    const brokerJwks = {
      getKey: createLocalJWKSet(broker.jwks),
      encryptionKey: () => Promise.resolve(broker.encryptionJwk()),
    } as unknown as JwksClient;
    const sut = new QueryRequestProcessor(
      'police',
      connector,
      adapter,
      brokerJwks,
      ledger.dataSource,
      publisher,
      audit,
      new AdapterMetrics('adapter-police-spec'),
    );
    return { sut, connector, publisher, ledger };
  };

  /** A request as the broker sends it, signed by `signer` (the broker unless a test forges one). */
  async function request(signer = broker): Promise<{ message: IncomingMessage; grantId: string }> {
    const queryId = randomUUID();
    const sealed = sealCriteria(subject);
    const { token, grantId } = await signGrant(
      {
        queryId,
        caseRef: randomUUID(),
        partnership: 'demo',
        agency: 'police',
        purpose: 'mash-triage',
        legalGateways: ['cda-1998-s115'],
        agreement: { id: randomUUID(), version: 1, hash: 'h' },
        categories: [
          { name: 'occurrences', fields: [{ name: 'occurrenceRef', action: 'include' }] },
        ],
        requestedBy: { sub: 'analyst-1', role: 'analyst', partnership: 'demo' },
        criteriaHash: criteriaHash(sealed),
      },
      signer.signing,
      120,
    );
    const value: QueryRequestedV1 = {
      type: 'query.requested',
      version: 1,
      messageId: randomUUID(),
      queryId,
      agency: 'police',
      partnership: 'demo',
      grant: token,
      criteria: await encryptFor(sealed, adapter.encryptionJwk()),
      deadline: new Date(Date.now() + 60_000).toISOString(),
      issuedAt: new Date().toISOString(),
    };
    return { message: asMessage(value), grantId };
  }
  const asMessage = (value: unknown): IncomingMessage => ({
    topic: Topics.queryRequested('police'),
    value: Buffer.from(JSON.stringify(value)),
    headers: {},
  });
  const answerOf = async (publisher: { publish: jest.Mock }) => {
    const [topic, record] = publisher.publish.mock.calls.at(-1) as [string, { value: string }];
    expect(topic).toBe(Topics.queryResponded('police'));
    const { body } = JSON.parse(record.value) as { body: string };
    const opened = await openSigned<{
      status: string;
      records?: unknown;
      rejection?: { code: string };
    }>(body, broker, createLocalJWKSet(adapter.jwks));
    return opened.payload;
  };

  it('dead-letters what is not a request, and never reaches the source', async () => {
    const { sut, connector, publisher } = newTestProcessor();
    await expect(sut.process(asMessage({ type: 'nonsense' }))).resolves.toMatchObject({
      kind: 'dead-lettered',
    });
    expect(publisher.publish.mock.calls[0][0]).toBe(
      Topics.deadLetter(Topics.queryRequested('police')),
    );
    expect(connector.findSubject).not.toHaveBeenCalled();
  });

  it("sends a request's audit events in one produce request, before its answer leaves", async () => {
    const { sut, publisher } = newTestProcessor();
    const { message } = await request();
    await expect(sut.process(message)).resolves.toMatchObject({ kind: 'answered' });
    expect(publisher.publishAll).toHaveBeenCalledTimes(1);
    const [topic, events] = publisher.publishAll.mock.calls[0];
    expect(topic).toBe(Topics.audit);
    const actions = events.map(
      (e) =>
        JSON.parse(
          Buffer.from(
            (JSON.parse(e.value) as { signed: string }).signed.split('.')[1],
            'base64url',
          ).toString(),
        ).action,
    );
    expect(actions).toEqual([
      'agency.grant.verified',
      'agency.source.searched',
      'agency.records.released',
    ]);
    expect(publisher.publishAll.mock.invocationCallOrder[0]).toBeLessThan(
      publisher.publish.mock.invocationCallOrder.at(-1)!,
    );
    expect((await answerOf(publisher)).status).toBe('match');
  });

  it('sends no answer when its audit events cannot be sent', async () => {
    const { sut, publisher, ledger } = newTestProcessor();
    const { message, grantId } = await request();
    publisher.publishAll.mockRejectedValueOnce(new Error('Kafka unavailable'));
    await expect(sut.process(message)).rejects.toThrow('Kafka unavailable');
    expect(publisher.publish).not.toHaveBeenCalled();
    // No reply stored either: the message delivered again answers afresh, with its events.
    expect(ledger.rows.get(grantId)?.replyBody).toBeUndefined();
    await expect(sut.process(message)).resolves.toMatchObject({ kind: 'answered' });
    expect(publisher.publishAll).toHaveBeenCalledTimes(2);
  });

  it('refuses a grant the broker did not sign before the source is searched', async () => {
    const { sut, connector, publisher } = newTestProcessor();
    const { message } = await request(stranger);
    await expect(sut.process(message)).resolves.toMatchObject({ kind: 'rejected' });
    expect(connector.findSubject).not.toHaveBeenCalled();
    expect((await answerOf(publisher)).status).toBe('rejected');
  });

  it('answers a match with only what the grant allows, and records the grant as answered', async () => {
    const { sut, connector, publisher, ledger } = newTestProcessor();
    const { message, grantId } = await request();
    await expect(sut.process(message)).resolves.toEqual({ kind: 'answered', status: 'match' });
    expect(connector.findSubject).toHaveBeenCalledWith(subject);
    expect(connector.fetchRecords).toHaveBeenCalledWith('ref-1', ['occurrences']);
    const answer = await answerOf(publisher);
    expect(answer).toMatchObject({
      status: 'match',
      records: { occurrences: [{ occurrenceRef: 'OCC-1' }] },
    });
    expect(JSON.stringify(answer.records)).not.toContain('free text');
    expect(ledger.rows.get(grantId)).toMatchObject({ status: 'answered' });
  });

  it('refuses a grant used again under another message, and resends the stored reply for the same one', async () => {
    const { sut, connector, publisher } = newTestProcessor();
    const { message } = await request();
    await sut.process(message);
    const first = publisher.publish.mock.calls.at(-1);
    await expect(sut.process(message)).resolves.toEqual({ kind: 'redelivered' });
    expect(JSON.parse(publisher.publish.mock.calls.at(-1)![1].value).body).toBe(
      JSON.parse(first![1].value).body,
    );
    const replay = JSON.parse(message.value!.toString()) as QueryRequestedV1;
    await expect(sut.process(asMessage({ ...replay, messageId: randomUUID() }))).resolves.toEqual({
      kind: 'rejected',
      code: 'GRANT.REPLAYED',
    });
    expect(connector.findSubject).toHaveBeenCalledTimes(1);
  });

  it('releases nothing for a possible match', async () => {
    const { sut, connector, publisher } = newTestProcessor({
      status: 'possible-match',
      confidence: 0.6,
      method: 'probabilistic',
    });
    const { message } = await request();
    await expect(sut.process(message)).resolves.toEqual({
      kind: 'answered',
      status: 'possible-match',
    });
    expect(connector.fetchRecords).not.toHaveBeenCalled();
    expect((await answerOf(publisher)).records).toBeUndefined();
  });
});
