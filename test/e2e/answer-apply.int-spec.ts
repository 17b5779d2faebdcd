/**
 * How an agency's answer is stored (`QueryRepository.applyAnswer`), against real PostgreSQL: once,
 * only while the part takes answers, never on a purged case, and never for a match under an
 * agreement suspended after the request left. The whole path, over Kafka, is covered by the
 * federated-query, agreements and security e2e suites; this pins each branch of the one statement.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { brokerDataSourceOptions } from '../../apps/broker/src/data-source';
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
});
