import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkCliError, loadMapping, mapRows, parseArgs, readCsv, runLink } from './link';

describe(parseArgs.name, () => {
  it('reads the documented options', () => {
    const sut = parseArgs([
      '--left',
      'a.csv',
      '--right',
      'b.csv',
      '--map',
      'm.json',
      '--map-right',
      'n.json',
      '--out',
      'o.csv',
      '--truth',
      't.csv',
    ]);
    expect(sut).toEqual({
      left: 'a.csv',
      right: 'b.csv',
      map: 'm.json',
      mapRight: 'n.json',
      out: 'o.csv',
      truth: 't.csv',
      modelOut: undefined,
    });
  });

  it('refuses missing required options and unknown ones', () => {
    expect(() => parseArgs(['--left', 'a.csv', '--out', 'o.csv'])).toThrow(LinkCliError);
    expect(() =>
      parseArgs(['--left', 'a.csv', '--map', 'm', '--out', 'o', '--colour', 'red']),
    ).toThrow(/unknown option/);
    expect(() => parseArgs(['--left'])).toThrow(/needs a value/);
  });
});

describe(mapRows.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'link-spec-'));

  it('trims values, parses the mapped date format, joins address columns and maps identifiers', () => {
    const csv = join(dir, 'a.csv');
    writeFileSync(
      csv,
      'id, first, last, dob, house, street, town, pc, nhs\nx1, Ann , Lee, 05/03/2012, 4, high st, leeds, ls61ab, 943 476 5919\n',
    );
    const [sut] = mapRows(readCsv(csv), {
      id: 'id',
      givenName: 'first',
      familyName: 'last',
      dateOfBirth: { column: 'dob', format: 'DD/MM/YYYY' },
      address: ['house', 'street', 'town'],
      postcode: 'pc',
      identifiers: { nhsNumber: 'nhs' },
    });
    expect(sut.id).toBe('x1');
    expect(sut.given?.text).toBe('ann');
    expect(sut.dob?.compact).toBe('20120305');
    expect(sut.address?.tokens).toEqual(['4', 'high', 'street', 'leeds']);
    expect(sut.postcode?.normalised).toBe('LS6 1AB');
    expect(sut.identifiers.nhsNumber).toEqual({ value: '9434765919', verified: true });
  });

  it('names a mapped column that the file lacks', () => {
    const csv = join(dir, 'b.csv');
    writeFileSync(csv, 'id,name\n1,Ann\n');
    expect(() => mapRows(readCsv(csv), { id: 'id', givenName: 'given' })).toThrow(/column "given"/);
  });
});

describe(runLink.name, () => {
  it('links two small files with different column names and reports quality against the truth', () => {
    const dir = mkdtempSync(join(tmpdir(), 'link-run-'));
    const people = [
      ['Oliver', 'Hughes', '2015-03-07', 'LS6 2AB'],
      ['Amelia', 'Khan', '2016-11-21', 'BD7 1DP'],
      ['George', 'Walsh', '2014-01-30', 'M14 5RT'],
      ['Isla', 'Patel', '2017-06-02', 'LS8 4QQ'],
      ['Noah', 'Evans', '2013-09-15', 'CF10 1AA'],
      ['Mia', 'Wright', '2012-12-12', 'B1 1AA'],
    ];
    writeFileSync(
      join(dir, 'l.csv'),
      ['id,given,family,dob,pc', ...people.map((p, i) => `L${i},${p.join(',')}`)].join('\n'),
    );
    writeFileSync(
      join(dir, 'r.csv'),
      [
        'ref,forename,surname,birth,postcode',
        ...people.map(
          (p, i) =>
            `R${i},${i === 0 ? 'Olivr' : p[0]},${p[1]},${p[2].split('-').reverse().join('/')},${p[3]}`,
        ),
      ].join('\n'),
    );
    writeFileSync(
      join(dir, 'lm.json'),
      JSON.stringify({
        id: 'id',
        givenName: 'given',
        familyName: 'family',
        dateOfBirth: 'dob',
        postcode: 'pc',
      }),
    );
    writeFileSync(
      join(dir, 'rm.json'),
      JSON.stringify({
        id: 'ref',
        givenName: 'forename',
        familyName: 'surname',
        dateOfBirth: { column: 'birth', format: 'DD/MM/YYYY' },
        postcode: 'postcode',
      }),
    );
    writeFileSync(
      join(dir, 't.csv'),
      ['left_id,right_id', ...people.map((_, i) => `L${i},R${i}`)].join('\n'),
    );
    const sut = runLink(
      {
        left: join(dir, 'l.csv'),
        right: join(dir, 'r.csv'),
        map: join(dir, 'lm.json'),
        mapRight: join(dir, 'rm.json'),
        out: join(dir, 'o.csv'),
        truth: join(dir, 't.csv'),
      },
      () => undefined,
    );
    const out = readFileSync(join(dir, 'o.csv'), 'utf8').trim().split('\n');
    expect(out[0]).toBe('left_id,right_id,score,band');
    expect(out.length).toBe(1 + sut.links);
    expect(sut.quality?.precision).toBe(1);
    expect(sut.quality?.truePositives).toBeGreaterThanOrEqual(5);
  });
});

describe(loadMapping.name, () => {
  it('explains a bad mapping field by field, in words rather than raw JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'link-map-'));
    const path = join(dir, 'map.json');
    writeFileSync(path, JSON.stringify({ id: 'rec_id', identifiers: { nhs: 'x' }, surname: 'y' }));
    let message = '';
    try {
      loadMapping(path);
    } catch (e) {
      expect(e).toBeInstanceOf(LinkCliError);
      message = (e as Error).message;
    }
    expect(message).not.toMatch(/^\s*\[/m);
    expect(message).toMatch(/surname/);
    expect(message).toMatch(/identifiers/);
    expect(message).toMatch(/only id is required/);
    writeFileSync(path, '{ id: ');
    expect(() => loadMapping(path)).toThrow(/is not JSON/);
  });
});
