import type { Queryable } from '@mash/matching';
import { SqlSourceConnector, type SqlSourceOptions } from './connector-base';
import type { SourceRecord } from './connector';

class TestConnector extends SqlSourceConnector {
  readonly agency = 'police' as const;
  readonly reads: Array<[string, string]> = [];

  constructor(db: Queryable, store: Queryable, options: Partial<SqlSourceOptions> = {}) {
    super(db, {
      categories: ['a', 'b'],
      loadCandidates: () => Promise.resolve([]),
      store,
      ...options,
    });
  }

  protected read(category: string, subjectRef: string): Promise<SourceRecord[]> {
    this.reads.push([category, subjectRef]);
    return Promise.resolve([{ category }]);
  }
}

const newTestConnector = (options: Partial<SqlSourceOptions> = {}) => {
  const db = { query: jest.fn<Promise<unknown>, [string, unknown[]?]>().mockResolvedValue([]) };
  const store = { query: jest.fn<Promise<unknown>, [string, unknown[]?]>().mockResolvedValue([]) };
  return { sut: new TestConnector(db, store, options), db, store };
};

describe(SqlSourceConnector.name, () => {
  it('answers each known category once and leaves unknown ones out', async () => {
    const { sut } = newTestConnector();
    await expect(sut.fetchRecords('ref-1', ['a', 'x', 'a', 'b'])).resolves.toEqual({
      a: [{ category: 'a' }],
      b: [{ category: 'b' }],
    });
    expect(sut.reads).toEqual([
      ['a', 'ref-1'],
      ['b', 'ref-1'],
    ]);
  });

  it('gives empty lists without reading for a ref that is not of this source', async () => {
    const { sut } = newTestConnector({ subjectRef: /^\d+$/ });
    await expect(sut.fetchRecords('not-a-number', ['a'])).resolves.toEqual({ a: [] });
    expect(sut.reads).toEqual([]);
  });

  it("stores a fed-back outcome idempotently in the adapter's own mash_outcome, not the source", async () => {
    const { sut, db, store } = newTestConnector();
    await sut.recordOutcome({
      outcomeId: 'o-1',
      caseRef: 'c-1',
      outcome: 'nfa',
      decidedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(db.query).not.toHaveBeenCalled();
    const [sql, params] = store.query.mock.calls[0];
    expect(sql).toMatch(/INSERT INTO mash_outcome .* ON CONFLICT \(outcome_id\) DO NOTHING/s);
    expect(params).toEqual(['o-1', 'c-1', null, 'nfa', '2026-01-01T00:00:00.000Z']);
  });
});
