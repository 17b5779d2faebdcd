import { Pool } from 'pg';
import {
  AuditLog,
  AuditQuery,
  AuditQueryError,
  type AuditEntry,
  type AuditEventInput,
} from '@mash/audit';
import { ensureDatabase, resetSchema, urlFor } from './audit-db';

jest.setTimeout(60_000);

const DB = 'mash_test_audit_query';
const url = urlFor(DB);
const SUBJECT_A = 'a'.repeat(64);
const SUBJECT_A_NHS = 'b'.repeat(64);
const SUBJECT_B = 'c'.repeat(64);
let pool: Pool;
let sut: AuditQuery;

const at = (iso: string, over: Partial<AuditEventInput>): AuditEventInput => ({
  occurredAt: iso,
  partnership: 'p-north',
  actorType: 'user',
  actorId: 'analyst-1',
  action: 'query.dispatched',
  outcome: 'success',
  ...over,
});

async function collect(stream: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

const ids = (entries: readonly AuditEntry[]): Array<string | null> =>
  entries.map((e) => e.correlationId);

beforeAll(async () => {
  await ensureDatabase(DB);
  pool = new Pool({ connectionString: url, max: 4 });
  await resetSchema(pool, url);
  sut = new AuditQuery(pool);
  await new AuditLog(pool).appendMany([
    // Tuesday 2026-06-02, BST (UTC+1): 08:30 local is in hours, 07:30 local is not.
    at('2026-06-02T07:30:00Z', {
      correlationId: 'in-hours',
      caseId: 'case-1',
      agency: 'police',
      subjectPseudonyms: [SUBJECT_A, SUBJECT_A_NHS],
      details: { caseStatus: 'open' },
    }),
    at('2026-06-02T06:30:00Z', {
      correlationId: 'early',
      caseId: 'case-1',
      agency: 'health',
      subjectPseudonyms: [SUBJECT_A],
    }),
    at('2026-06-06T12:00:00Z', {
      correlationId: 'saturday',
      caseId: 'case-2',
      actorId: 'analyst-2',
      subjectPseudonyms: [SUBJECT_B],
    }),
    at('2026-06-02T09:00:00Z', { correlationId: 'no-case', caseId: null }),
    at('2026-06-02T09:05:00Z', {
      correlationId: 'closed-case',
      caseId: 'case-9',
      details: { caseStatus: 'closed' },
    }),
    // Deny then retry on the same case by the same analyst, 5 minutes apart; and one retried too late.
    at('2026-06-02T10:00:00Z', {
      correlationId: 'deny-1',
      caseId: 'case-3',
      action: 'policy.decision',
      outcome: 'deny',
    }),
    at('2026-06-02T10:05:00Z', { correlationId: 'retry-1', caseId: 'case-3' }),
    at('2026-06-02T11:00:00Z', {
      correlationId: 'deny-2',
      caseId: 'case-4',
      action: 'policy.decision',
      outcome: 'deny',
      actorId: 'analyst-2',
    }),
    at('2026-06-02T12:00:00Z', {
      correlationId: 'late-retry',
      caseId: 'case-4',
      actorId: 'analyst-2',
    }),
    // Another partnership's event that must never show up.
    at('2026-06-02T09:00:00Z', {
      correlationId: 'other-tenant',
      partnership: 'p-south',
      caseId: 'case-1',
      subjectPseudonyms: [SUBJECT_A],
    }),
    at('2026-06-02T09:00:00Z', {
      correlationId: 'service',
      actorType: 'service',
      actorId: 'broker',
      action: 'auth.failed',
      outcome: 'failure',
      caseId: null,
    }),
  ]);
  // analyst-3 has a busy day: 40 events on 2026-06-03 against 1–2 a day for others.
  await new AuditLog(pool).appendMany(
    Array.from({ length: 40 }, (_, i) =>
      at(`2026-06-03T09:${String(i).padStart(2, '0')}:00Z`, {
        actorId: 'analyst-3',
        caseId: `busy-case-${i}`,
        correlationId: `busy-${i}`,
        details: { caseStatus: 'open' },
      }),
    ),
  );
});
afterAll(async () => {
  await pool.end();
});

describe(AuditQuery.name, () => {
  it('filters within one partnership and requires it', async () => {
    const page = await sut.search({ partnership: 'p-north', caseId: 'case-1' });
    expect(ids(page.items).sort()).toEqual(['early', 'in-hours']);
    expect(ids((await sut.search({ partnership: 'p-north', agency: 'health' })).items)).toEqual([
      'early',
    ]);
    expect(
      ids(
        (await sut.search({ partnership: 'p-north', action: 'policy.*', outcome: 'deny' })).items,
      ).sort(),
    ).toEqual(['deny-1', 'deny-2']);
    expect(
      ids(
        (
          await sut.search({
            partnership: 'p-north',
            actorId: 'analyst-2',
            from: '2026-06-02T11:30:00Z',
            to: '2026-06-03T00:00:00Z',
          })
        ).items,
      ),
    ).toEqual(['late-retry']);
    await expect(sut.search({ partnership: '' })).rejects.toBeInstanceOf(AuditQueryError);
  });

  it('finds a subject by either of its pseudonyms', async () => {
    expect(ids((await sut.accessesToSubject('p-north', SUBJECT_A_NHS)).items)).toEqual([
      'in-hours',
    ]);
    expect(ids((await sut.accessesToSubject('p-north', SUBJECT_A)).items).sort()).toEqual([
      'early',
      'in-hours',
    ]);
  });

  it('pages newest first with a cursor until every entry has been seen once', async () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await sut.search({ partnership: 'p-north' }, { limit: 7, cursor });
      seen.push(...page.items.map((e) => e.seq));
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(seen).toHaveLength(50);
    expect([...seen].sort((a, b) => b - a)).toEqual(seen);
    await expect(
      sut.search({ partnership: 'p-north' }, { cursor: 'garbage' }),
    ).rejects.toBeInstanceOf(AuditQueryError);
  });

  it('exports JSON Lines and CSV that hold the same entries', async () => {
    const filter = { partnership: 'p-north', actorId: 'analyst-1' };
    const jsonl = (await collect(sut.exportJsonLines(filter)))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditEntry);
    const csv = (await collect(sut.exportCsv(filter))).trim().split('\n');
    expect(jsonl.length).toBe(6);
    expect(csv).toHaveLength(jsonl.length + 1);
    expect(csv[1].split(',')[0]).toBe(String(jsonl[0].seq));
    expect(jsonl.every((e) => e.partnership === 'p-north')).toBe(true);
  });

  it('reports out-of-hours access in London time, weekends included', async () => {
    const sut2 = await sut.outOfHours('p-north', {
      from: '2026-06-01T00:00:00Z',
      to: '2026-06-03T00:00:00Z',
      workdayStart: '08:00',
      workdayEnd: '18:00',
    });
    expect(ids(sut2)).toEqual(['early']);
    expect(
      ids(
        await sut.outOfHours('p-north', {
          from: '2026-06-06T00:00:00Z',
          to: '2026-06-07T00:00:00Z',
        }),
      ),
    ).toEqual(['saturday']);
    expect(
      await sut.outOfHours('p-north', {
        from: '2026-06-06T00:00:00Z',
        to: '2026-06-07T00:00:00Z',
        weekends: false,
      }),
    ).toEqual([]);
  });

  it('reports accesses with no open case behind them', async () => {
    const range = { from: '2026-06-02T00:00:00Z', to: '2026-06-03T00:00:00Z' };
    expect(ids(await sut.accessesWithoutOpenCase('p-north', range)).sort()).toEqual([
      'closed-case',
      'no-case',
    ]);

    const openCases = new Set(['case-1', 'case-3', 'case-4']);
    const viaCallback = await sut.accessesWithoutOpenCase('p-north', {
      ...range,
      openCases: async (caseIds) => new Set(caseIds.filter((c) => openCases.has(c))),
    });
    // case-9 is not in the open set; the recorded caseStatus is not consulted with a callback.
    expect(ids(viaCallback).sort()).toEqual(['closed-case', 'no-case']);

    await pool.query(
      `CREATE TABLE IF NOT EXISTS demo_case (id text PRIMARY KEY, status text NOT NULL)`,
    );
    await pool.query(
      `INSERT INTO demo_case VALUES ('case-1', 'open'), ('case-3', 'open'), ('case-4', 'open'), ('case-9', 'closed') ON CONFLICT DO NOTHING`,
    );
    const viaTable = await sut.accessesWithoutOpenCase('p-north', {
      ...range,
      openCases: { table: 'demo_case', openStatuses: ['open'] },
    });
    expect(ids(viaTable).sort()).toEqual(['closed-case', 'no-case']);
    await expect(
      sut.accessesWithoutOpenCase('p-north', {
        openCases: { table: 'demo_case; DROP TABLE audit_event' },
      }),
    ).rejects.toBeInstanceOf(AuditQueryError);
  });

  it('flags a user with an unusual number of events in a day', async () => {
    // Four actor-days (6, 2, 1 and 40 events): the busy one is 1.7 standard deviations out.
    const byZ = await sut.unusualVolume('p-north', { zScore: 1.5 });
    expect(byZ.map((r) => [r.actorId, r.day, r.count])).toEqual([['analyst-3', '2026-06-03', 40]]);
    const byThreshold = await sut.unusualVolume('p-north', { threshold: 10, zScore: 100 });
    expect(byThreshold.map((r) => r.actorId)).toEqual(['analyst-3']);
  });

  it('reports a deny followed by another request on the same case within the window', async () => {
    const rows = await sut.deniedThenRetried('p-north', { withinMinutes: 15 });
    expect(
      rows.map((r) => [r.actorId, r.caseId, r.denied.correlationId, r.retry.correlationId]),
    ).toEqual([['analyst-1', 'case-3', 'deny-1', 'retry-1']]);
    expect(
      (await sut.deniedThenRetried('p-north', { withinMinutes: 90 })).map(
        (r) => r.retry.correlationId,
      ),
    ).toEqual(['retry-1', 'late-retry']);
  });

  it('attributes a broker policy deny to the analyst who asked, and ignores the same request', async () => {
    // Partnership p-west: one query (q-1) denied by police and permitted by health, then the same
    // analyst asks again (q-2) three minutes later.
    const west = (iso: string, over: Partial<AuditEventInput>): AuditEventInput =>
      at(iso, { partnership: 'p-west', caseId: 'case-w', ...over });
    const decision = (queryId: string, agency: string, outcome: 'permit' | 'deny') =>
      west('2026-06-04T10:00:00Z', {
        actorType: 'service',
        actorId: 'broker',
        action: 'policy.decision',
        outcome,
        queryId,
        agency,
        details: { requestedBy: 'analyst-w' },
      });
    await new AuditLog(pool).appendMany([
      west('2026-06-04T10:00:00Z', {
        actorId: 'analyst-w',
        action: 'query.requested',
        queryId: 'q-1',
      }),
      decision('q-1', 'police', 'deny'),
      decision('q-1', 'health', 'permit'),
      west('2026-06-04T10:03:00Z', {
        actorId: 'analyst-w',
        action: 'query.requested',
        queryId: 'q-2',
      }),
    ]);
    const rows = await sut.deniedThenRetried('p-west');
    expect(rows.map((r) => [r.actorId, r.denied.agency, r.retry.action, r.retry.queryId])).toEqual([
      ['analyst-w', 'police', 'query.requested', 'q-2'],
    ]);
  });
});
