import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse as parseYaml } from 'yaml';
import {
  candidatesFromRows,
  ConfiguredConnector,
  ConnectorFileError,
  connectorFileJsonSchema,
  parseAnyConnectorFile,
  parseConnectorFile,
} from './connector-file';
import type { SourceDriver } from './source-driver';

const ROOT = join(__dirname, '../../..');
const FILES = join(ROOT, 'deploy/connectors');

const minimal = `
agency: police
source: { driver: postgres }
identity:
  candidates: SELECT id AS ref, first, last, dob FROM person WHERE id = ANY(:refs)
  changes: SELECT id AS ref, changed AS "changedAt" FROM person WHERE changed >= :since
  fields: { ref: ref, givenName: first, familyName: last, dateOfBirth: dob }
categories:
  warnings:
    sql: SELECT kind, to_char(added, 'YYYY-MM-DD') AS added FROM marker WHERE person = :ref
    fields: { type: kind, addedOn: added }
`;

describe(parseConnectorFile.name, () => {
  it('matches the committed connector.schema.json (regenerate with libs/adapter-sdk/write-json-schema.ts)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(__dirname, '../connector.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(connectorFileJsonSchema());
  });

  it.each(readdirSync(FILES).filter((f) => f.endsWith('.yaml')))(
    'accepts the example connector %s, and so does the published JSON Schema',
    (file) => {
      const text = readFileSync(join(FILES, file), 'utf8');
      expect(() => parseAnyConnectorFile(text, file)).not.toThrow();
      const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(
        connectorFileJsonSchema(),
      );
      expect(validate(parseYaml(text))).toBe(true);
    },
  );

  it('defaults the outcome interface to the store and the index poll to a second', () => {
    const sut = parseConnectorFile(minimal);
    expect(sut.outcomes).toEqual({ to: 'store' });
    expect(sut.index.pollMs).toBe(1000);
  });

  it('names every problem with its path', () => {
    const broken = minimal
      .replace('driver: postgres', 'driver: db2')
      .replace('WHERE person = :ref', 'WHERE person = $1');
    const error = (() => {
      try {
        parseConnectorFile(broken, 'x.yaml');
      } catch (e) {
        return e as ConnectorFileError;
      }
      throw new Error('accepted');
    })();
    expect(error).toBeInstanceOf(ConnectorFileError);
    expect(error.problems.join('\n')).toMatch(/source\.driver/);
    const fixedDriver = broken.replace('driver: db2', 'driver: postgres');
    expect(() => parseConnectorFile(fixedDriver, 'x.yaml')).toThrow(
      /categories\.warnings\.sql: must use :ref/,
    );
  });

  it('does not take a parameter inside a string literal or a cast for one', () => {
    const sneaky = minimal.replace('WHERE person = :ref', "WHERE person = 'x:ref'::text");
    expect(() => parseConnectorFile(sneaky)).toThrow(/must use :ref/);
  });
});

describe(candidatesFromRows.name, () => {
  it('makes each row a variant of its ref and maps identifiers', () => {
    const sut = candidatesFromRows(
      [
        { r: 'a', g: 'Ann', f: 'Lee', d: '2015-01-02', pc: 'NN1 1AA', n: '9434765919' },
        { r: 'a', g: 'Ann', f: 'Lee', d: '2015-01-02', pc: 'NN2 2BB', n: '9434765919' },
        { r: 'b', g: 'Bo', f: 'Ray', d: new Date(2014, 5, 7), pc: null, n: null },
      ],
      {
        ref: 'r',
        givenName: 'g',
        familyName: 'f',
        dateOfBirth: 'd',
        postcode: 'pc',
        identifiers: { nhsNumber: 'n' },
      },
    );
    expect(sut).toHaveLength(2);
    expect(sut[0].variants.map((v) => v.postcode)).toEqual(['NN1 1AA', 'NN2 2BB']);
    expect(sut[1]).toEqual({
      ref: 'b',
      variants: [
        {
          givenName: 'Bo',
          familyName: 'Ray',
          dateOfBirth: '2014-06-07',
          postcode: null,
          identifiers: { nhsNumber: null },
        },
      ],
    });
  });
});

describe(ConfiguredConnector.name, () => {
  const newTestConnector = () => {
    const named = jest.fn<Promise<Record<string, unknown>[]>, [string, Record<string, unknown>]>();
    const source = { named, query: jest.fn(), close: jest.fn() } as unknown as SourceDriver;
    const store = { query: jest.fn().mockResolvedValue([]) };
    const outcomes = { deliver: jest.fn().mockResolvedValue(undefined) };
    const sut = new ConfiguredConnector(parseConnectorFile(minimal), { source, store, outcomes });
    return { sut, named, store, outcomes };
  };

  it("reads a category with the file's SQL and renames its columns to the contract's fields", async () => {
    const { sut, named } = newTestConnector();
    named.mockResolvedValue([{ kind: 'weapons', added: '2024-03-01', extra: 'not mapped' }]);
    await expect(sut.fetchRecords('p-1', ['warnings', 'unknown'])).resolves.toEqual({
      warnings: [{ type: 'weapons', addedOn: '2024-03-01' }],
    });
    expect(named).toHaveBeenCalledWith(expect.stringContaining('FROM marker'), { ref: 'p-1' });
  });

  it('hands outcomes to the configured interface and never to the source', async () => {
    const { sut, named, outcomes } = newTestConnector();
    const outcome = { outcomeId: 'o', caseRef: 'c', outcome: 'nfa', decidedAt: '2026-01-01' };
    await sut.recordOutcome(outcome);
    expect(outcomes.deliver).toHaveBeenCalledWith(outcome);
    expect(named).not.toHaveBeenCalled();
  });

  it('follows the change feed with the file’s SQL', async () => {
    const { sut, named } = newTestConnector();
    named.mockResolvedValue([{ ref: 7, changedAt: '2026-11-30T10:00:00Z' }]);
    const since = new Date('2026-11-30T09:00:00Z');
    await expect(sut.changeFeed!.changedSince(since)).resolves.toEqual([
      { ref: '7', changedAt: new Date('2026-11-30T10:00:00Z') },
    ]);
    expect(named).toHaveBeenCalledWith(expect.stringContaining('changed >= :since'), { since });
  });
});
