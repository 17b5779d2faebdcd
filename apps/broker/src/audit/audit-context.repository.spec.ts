import type { DataSource } from 'typeorm';
import { AuditContextRepository } from './audit-context.repository';

/** A database that answers the context lookups and counts what it was asked. */
function fakeDatabase() {
  const calls: string[] = [];
  const db = {
    query: jest.fn(async (sql: string, params: [string[], string[]]) => {
      const [partnerships, ids] = params;
      if (sql.includes('FROM federated_query')) {
        calls.push('query-case');
        return ids.map((id, i) => ({ partnership: partnerships[i], id, case_id: `case-of-${id}` }));
      }
      if (sql.includes('FROM mash_case')) {
        calls.push('status');
        return ids.map((id, i) => ({ partnership: partnerships[i], id, status: 'open' }));
      }
      calls.push('pseudonyms');
      return ids
        .filter((id) => id !== 'unopened')
        .map((id, i) => ({ partnership: partnerships[i], id, subject_pseudonyms: [`t-${id}`] }));
    }),
  };
  return { calls, repository: new AuditContextRepository(db as unknown as DataSource) };
}

describe('AuditContextRepository', () => {
  it('asks once for what never changes (the case behind a query, its opening pseudonyms)', async () => {
    const { calls, repository } = fakeDatabase();
    const q = [{ partnership: 'p1', id: 'q1' }];
    const c = [{ partnership: 'p1', id: 'c1' }];
    expect(await repository.queryCases(q)).toEqual(new Map([['p1|q1', 'case-of-q1']]));
    expect(await repository.queryCases(q)).toEqual(new Map([['p1|q1', 'case-of-q1']]));
    expect(await repository.casePseudonyms(c)).toEqual(new Map([['p1|c1', ['t-c1']]]));
    expect(await repository.casePseudonyms(c)).toEqual(new Map([['p1|c1', ['t-c1']]]));
    expect(calls).toEqual(['query-case', 'pseudonyms']);
  });

  it('knows the case behind a query it was told of without asking, in its partnership only', async () => {
    const { calls, repository } = fakeDatabase();
    repository.rememberQueryCase('p1', 'q1', 'c1');
    expect(await repository.queryCases([{ partnership: 'p1', id: 'q1' }])).toEqual(
      new Map([['p1|q1', 'c1']]),
    );
    expect(calls).toEqual([]);
    await repository.queryCases([{ partnership: 'p2', id: 'q1' }]);
    expect(calls).toEqual(['query-case']);
  });

  it('reads a case status every time, since it can change', async () => {
    const { calls, repository } = fakeDatabase();
    const c = [{ partnership: 'p1', id: 'c1' }];
    await repository.caseStatuses(c);
    await repository.caseStatuses(c);
    expect(calls).toEqual(['status', 'status']);
  });

  it('asks again for what was not found, and only for that', async () => {
    const { calls, repository } = fakeDatabase();
    await repository.casePseudonyms([{ partnership: 'p1', id: 'c1' }]);
    const both = await repository.casePseudonyms([
      { partnership: 'p1', id: 'c1' },
      { partnership: 'p1', id: 'unopened' },
    ]);
    expect(both).toEqual(new Map([['p1|c1', ['t-c1']]]));
    await repository.casePseudonyms([{ partnership: 'p1', id: 'unopened' }]);
    expect(calls).toEqual(['pseudonyms', 'pseudonyms', 'pseudonyms']);
  });

  it('keeps partnerships apart: the same id in another partnership is another entry', async () => {
    const { calls, repository } = fakeDatabase();
    await repository.queryCases([{ partnership: 'p1', id: 'q1' }]);
    expect(await repository.queryCases([{ partnership: 'p2', id: 'q1' }])).toEqual(
      new Map([['p2|q1', 'case-of-q1']]),
    );
    expect(calls).toEqual(['query-case', 'query-case']);
  });
});
