/**
 * How an agency's answer is stored (`QueryRepository.applyAnswer`), against real PostgreSQL: once,
 * only while the part takes answers, never on a purged case, and never for a match under an
 * agreement suspended after the request left. The whole path, over Kafka, is covered by the
 * federated-query, agreements and security e2e suites; this pins each branch of the one statement.
 * Also the one-statement read of a query with its parts, against TypeORM's own reads.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { brokerDataSourceOptions } from '../../apps/broker/src/data-source';
import { QueryAgencyEntity, QueryEntity } from '../../apps/broker/src/queries/query.entity';
import { QueryRepository } from '../../apps/broker/src/queries/query.repository';
import { freshBrokerDatabase } from '../support/federation';

const PARTNERSHIP = 'demo';
const AT = new Date('2026-03-02T10:00:00Z');

describe('Applying an agency answer', () => {
  let ds: DataSource;
  let queries: QueryRepository;

  beforeAll(async () => {
    ds = new DataSource(brokerDataSourceOptions(await freshBrokerDatabase('answer-apply')));
    await ds.initialize();
    queries = new QueryRepository(ds);
  }, 120_000);

  afterAll(async () => {
    await ds?.destroy();
  });

  /** A case with one query and one pending police part under an agreement in `agreementStatus`. */
  async function pendingPart(
    options: { agreementStatus?: string; partStatus?: string; purged?: boolean } = {},
  ) {
    const caseId = randomUUID();
    const queryId = randomUUID();
    const memberId = randomUUID();
    const agreementId = randomUUID();
    await ds.query(
      `INSERT INTO mash_case (id, partnership, status, referrer_agency, concerns, level, rag,
                              threshold_version, received_at, created_by, purged_at)
       VALUES ($1, $2, 'open', 'police', '{}', 3, 'amber', 1, $3, 'analyst-1', $4)`,
      [caseId, PARTNERSHIP, AT, options.purged ? AT : null],
    );
    await ds.query(
      `INSERT INTO agreement_version (agreement_id, version, partnership, agency, status, content, hash, created_by)
       VALUES ($1, 2, $2, 'police', $3, '{}', 'h', 'admin-1')`,
      [agreementId, PARTNERSHIP, options.agreementStatus ?? 'active'],
    );
    await ds.query(
      `INSERT INTO federated_query (id, partnership, case_id, purpose, status, requested_by, requested_role, deadline_at)
       VALUES ($1, $2, $3, 'mash-triage', 'pending', 'analyst-1', 'analyst', $4)`,
      [queryId, PARTNERSHIP, caseId, AT],
    );
    await ds.query(
      `INSERT INTO federated_query_agency (query_id, agency, member_id, partnership, decision, reasons,
                                           agreement, status, deadline_at)
       VALUES ($1, 'police', $2, $3, 'permit', '[]', $4, $5, $6)`,
      [
        queryId,
        memberId,
        PARTNERSHIP,
        JSON.stringify({ id: agreementId, version: 2 }),
        options.partStatus ?? 'pending',
        AT,
      ],
    );
    return { caseId, queryId, memberId, agreement: { id: agreementId, version: 2 } };
  }

  function answer(
    part: { queryId: string; memberId: string; agreement: { id: string; version: number } },
    status: 'match' | 'no-match' | 'failed' = 'match',
  ) {
    return ds.transaction((tx) =>
      queries.applyAnswer(
        PARTNERSHIP,
        part.queryId,
        'police',
        part.memberId,
        {
          status,
          match: status === 'match' ? { confidence: 0.97, method: 'probabilistic' } : null,
          recordsSealed: status === 'match' ? 'sealed-records' : null,
          failureCode: status === 'failed' ? 'SOURCE.UNAVAILABLE' : null,
          respondedAt: AT,
          dataAsOf: null,
          late: false,
          agreement: part.agreement,
        },
        tx,
      ),
    );
  }

  async function stored(part: { queryId: string; memberId: string }) {
    const [row] = (await ds.query(
      `SELECT status, failure_code, records_sealed, match FROM federated_query_agency
        WHERE query_id = $1 AND member_id = $2`,
      [part.queryId, part.memberId],
    )) as Array<Record<string, unknown>>;
    return row;
  }

  it('stores a match once, with the case status for the audit entry, and numbers the change', async () => {
    const part = await pendingPart();
    await expect(answer(part)).resolves.toEqual({
      outcome: 'applied',
      caseId: part.caseId,
      caseStatus: 'open',
      status: 'match',
      failureCode: null,
      recordsStored: true,
    });
    expect(await stored(part)).toMatchObject({
      status: 'match',
      records_sealed: 'sealed-records',
      match: { confidence: 0.97, method: 'probabilistic' },
    });
    const events = (await ds.query(`SELECT agency, status FROM query_event WHERE query_id = $1`, [
      part.queryId,
    ])) as unknown[];
    expect(events).toEqual([{ agency: 'police', status: 'match' }]);
    // Redelivered by Kafka: nothing changes.
    await expect(answer(part, 'no-match')).resolves.toEqual({ outcome: 'duplicate' });
    expect(await stored(part)).toMatchObject({ status: 'match' });
  });

  it('keeps a match under an agreement suspended since the request as failed, without its records', async () => {
    const part = await pendingPart({ agreementStatus: 'suspended' });
    await expect(answer(part)).resolves.toMatchObject({
      outcome: 'applied',
      status: 'failed',
      failureCode: 'POLICY.AGREEMENT_NOT_IN_FORCE',
      recordsStored: false,
    });
    expect(await stored(part)).toMatchObject({
      status: 'failed',
      failure_code: 'POLICY.AGREEMENT_NOT_IN_FORCE',
      records_sealed: null,
    });
  });

  it('stores an answer that releases nothing whatever the agreement has become', async () => {
    const part = await pendingPart({ agreementStatus: 'suspended' });
    await expect(answer(part, 'no-match')).resolves.toMatchObject({
      outcome: 'applied',
      status: 'no-match',
      failureCode: null,
    });
  });

  it('takes a late answer for a timed-out part', async () => {
    const part = await pendingPart({ partStatus: 'timed-out' });
    await expect(answer(part)).resolves.toMatchObject({ outcome: 'applied', status: 'match' });
  });

  it('stores nothing on a case whose data has been purged, or for a query that does not exist', async () => {
    const part = await pendingPart({ purged: true });
    await expect(answer(part)).resolves.toEqual({ outcome: 'purged' });
    expect(await stored(part)).toMatchObject({ status: 'pending', records_sealed: null });
    await expect(answer({ ...part, queryId: randomUUID() })).resolves.toEqual({
      outcome: 'purged',
    });
  });

  it('leaves the query complete when its last two answers commit at the same time', async () => {
    // The second answer's refresh must read the first as committed. The answer path asks for no
    // lock of its own: changing a part's status takes the query's row lock (the event trigger), so
    // the second transaction waits at its update until the first commits.
    const part = await pendingPart();
    await ds.query(
      `INSERT INTO federated_query_agency (query_id, agency, member_id, partnership, decision, reasons,
                                           agreement, status, deadline_at)
       VALUES ($1, 'health', $2, $3, 'permit', '[]', $4, 'pending', $5)`,
      [part.queryId, part.memberId, PARTNERSHIP, JSON.stringify(part.agreement), AT],
    );
    const first = ds.createQueryRunner();
    const second = ds.createQueryRunner();
    await first.startTransaction();
    await second.startTransaction();
    const apply = (runner: typeof first, agency: string) =>
      queries.applyAnswer(
        PARTNERSHIP,
        part.queryId,
        agency,
        part.memberId,
        {
          status: 'no-match',
          match: null,
          recordsSealed: null,
          failureCode: null,
          respondedAt: AT,
          dataAsOf: null,
          late: false,
          agreement: part.agreement,
        },
        runner.manager,
      );
    try {
      await apply(first, 'police');
      const secondDone = (async () => {
        await apply(second, 'health');
        return queries.refreshStatus(part.queryId, second.manager, true);
      })();
      // Without the lock the second answer would refresh now, reading the first as pending.
      await new Promise((r) => setTimeout(r, 300));
      await expect(queries.refreshStatus(part.queryId, first.manager, true)).resolves.toBe(
        'pending',
      );
      await first.commitTransaction();
      await expect(secondDone).resolves.toBe('complete');
      await second.commitTransaction();
    } finally {
      for (const runner of [first, second]) {
        if (runner.isTransactionActive) await runner.rollbackTransaction();
        await runner.release();
      }
    }
    const [query] = (await ds.query(`SELECT status FROM federated_query WHERE id = $1`, [
      part.queryId,
    ])) as Array<{ status: string }>;
    expect(query.status).toBe('complete');
  });

  it("reads a query, its parts, its case's status and its events in one statement, as TypeORM reads them", async () => {
    const part = await pendingPart();
    await answer(part);
    await ds.query(
      `INSERT INTO federated_query_agency (query_id, agency, member_id, partnership, decision, reasons,
                                           agreement, status, deadline_at, dispatched_at)
       VALUES ($1, 'education', $2, $3, 'deny', '[{"code":"POLICY.NO_AGREEMENT"}]', NULL, 'denied', $4, $4)`,
      [part.queryId, part.memberId, PARTNERSHIP, AT],
    );
    const found = await queries.get(PARTNERSHIP, part.queryId);
    expect(found.caseStatus).toBe('open');
    expect(found.query).toEqual(
      await ds.getRepository(QueryEntity).findOneByOrFail({ id: part.queryId }),
    );
    expect(found.query).toBeInstanceOf(QueryEntity);
    expect(found.agencies).toEqual(
      await ds
        .getRepository(QueryAgencyEntity)
        .find({ where: { queryId: part.queryId }, order: { agency: 'ASC', memberId: 'ASC' } }),
    );
    expect(found.agencies.map((a) => a.agency)).toEqual(['education', 'police']);
    expect(found.agencies[1].respondedAt).toEqual(AT);
    await expect(queries.get('another', part.queryId)).rejects.toThrow();
    // With the query's event log after a cursor, in the same snapshot.
    const withEvents = await queries.getWithEvents(PARTNERSHIP, part.queryId, 0);
    expect(withEvents).toMatchObject({ query: found.query, agencies: found.agencies });
    expect(withEvents.events).toEqual([
      { seq: expect.any(Number), agency: 'police', memberId: part.memberId, status: 'match' },
    ]);
    const [{ seq }] = withEvents.events;
    expect((await queries.getWithEvents(PARTNERSHIP, part.queryId, seq)).events).toEqual([]);
    expect(found).not.toHaveProperty('events');
  });
});
