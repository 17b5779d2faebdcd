import { createSourceDriver, toPositional } from './source-driver';

describe(toPositional.name, () => {
  it('binds named parameters in order, once per name, leaving casts and literals alone', () => {
    expect(
      toPositional(
        "SELECT to_char(d, 'HH:MI') FROM t WHERE a = :ref::uuid AND (:since::timestamptz IS NULL OR b >= :since) AND c = ANY(:refs)",
        { ref: 'r', since: null, refs: ['x'] },
      ),
    ).toEqual({
      text: "SELECT to_char(d, 'HH:MI') FROM t WHERE a = $1::uuid AND ($2::timestamptz IS NULL OR b >= $2) AND c = ANY($3)",
      values: ['r', null, ['x']],
    });
  });

  it('refuses SQL that names a parameter nobody supplies', () => {
    expect(() => toPositional('SELECT :who', {})).toThrow(/:who/);
  });
});

describe(createSourceDriver.name, () => {
  it('names what to implement for a driver this build does not carry', () => {
    expect(() => createSourceDriver('mssql', 'mssql://x')).toThrow(/SourceDriver with mssql/);
  });
});
