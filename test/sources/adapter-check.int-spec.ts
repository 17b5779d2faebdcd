import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { checkConnector } from '../../scripts/adapter/check';
import { connectorFile } from '../../scripts/seed/connectors';
import {
  databaseUrl,
  dropDatabase,
  readerUrl,
  sourceDatabaseName,
  storeDatabaseName,
} from '../../scripts/seed/database';
import { runSeed } from '../../scripts/seed/run';

const SERVER = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const PREFIX = 'mash_scratch_check_';
const ALL = ['police', 'health', 'education', 'social-care'] as const;

/** `npm run adapter -- check`: what agency IT sees before go-live. */
describe(checkConnector.name, () => {
  let out: string;
  let sample: { csv: string; map: string };

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'mash-check-'));
    await runSeed({
      people: 800,
      seed: 3,
      serverUrl: SERVER,
      dbPrefix: PREFIX,
      out,
      asOf: '2026-12-01',
      log: () => undefined,
    });
    // Another agency's view of the same town: health's patients, as a CSV the link tool reads.
    const health = new Client({
      connectionString: databaseUrl(SERVER, sourceDatabaseName(PREFIX, 'health')),
    });
    await health.connect();
    try {
      const rows = (
        await health.query(
          `SELECT patient_id AS id, given_name, family_name, to_char(birth_date, 'YYYY-MM-DD') AS dob, address_postcode AS postcode
             FROM patient ORDER BY patient_id LIMIT 300`,
        )
      ).rows as Array<Record<string, string>>;
      const csv = [
        'id,given_name,family_name,dob,postcode',
        ...rows.map((r) => [r.id, r.given_name, r.family_name, r.dob, r.postcode ?? ''].join(',')),
      ];
      sample = { csv: join(out, 'sample.csv'), map: join(out, 'map.json') };
      await writeFile(sample.csv, `${csv.join('\n')}\n`);
      await writeFile(
        sample.map,
        JSON.stringify({
          id: 'id',
          givenName: 'given_name',
          familyName: 'family_name',
          dateOfBirth: 'dob',
          postcode: 'postcode',
        }),
      );
    } finally {
      await health.end();
    }
  }, 120_000);

  afterAll(async () => {
    for (const agency of ALL) {
      await dropDatabase(SERVER, sourceDatabaseName(PREFIX, agency));
      await dropDatabase(SERVER, storeDatabaseName(PREFIX, agency));
    }
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('counts people and records, checks identifiers and estimates the match rate over read-only credentials', async () => {
    const progress: string[] = [];
    const sut = await checkConnector({
      file: connectorFile('education'),
      sourceUrl: readerUrl(SERVER, PREFIX, 'education'),
      sample,
      progress: (m) => progress.push(m),
    });
    const education = new Client({
      connectionString: databaseUrl(SERVER, sourceDatabaseName(PREFIX, 'education')),
    });
    await education.connect();
    const [{ n }] = (await education.query('SELECT count(*)::int AS n FROM pupil')).rows as [
      { n: number },
    ];
    await education.end();

    expect(sut.readOnly).toEqual({ ok: true, privileges: [] });
    expect(sut.blocking).toBe(0);
    expect(sut.people).toBe(n);
    expect(sut.identifiers.upn.present).toBeGreaterThan(0);
    expect(Object.keys(sut.categories).sort()).toEqual([
      'attendance',
      'enrolment',
      'exclusions',
      'sen',
    ]);
    expect(Object.values(sut.categories).every((c) => c.error === undefined && c.sampled > 0)).toBe(
      true,
    );
    expect(sut.categories.enrolment.records).toBeGreaterThan(0);
    // Health's patients include adults and children education never held: some, not all, match.
    expect(sut.matchRate!.match).toBeGreaterThan(0);
    expect(sut.matchRate!.rate).toBeLessThan(1);
    expect(progress.some((m) => m.includes('people read'))).toBe(true);
  });

  it('says what to fix: writable credentials, a category whose SQL fails, identifiers failing their check', async () => {
    const broken = join(out, 'broken.yaml');
    await writeFile(
      broken,
      readFileSync(connectorFile('education'), 'utf8').replace(
        'SELECT sen_provision, need_type',
        'SELECT sen_provision, need_typo',
      ),
    );
    const sut = await checkConnector({
      file: broken,
      sourceUrl: databaseUrl(SERVER, sourceDatabaseName(PREFIX, 'education')),
      recordsSample: 20,
    });
    expect(sut.readOnly.ok).toBe(false);
    expect(sut.blocking).toBe(2);
    expect(sut.fixes.join('\n')).toMatch(/can do more than read/);
    expect(sut.categories.sen.error).toMatch(/need_typo/);
    expect(sut.fixes.join('\n')).toMatch(/categories\.sen:/);
    // The seed corrupts a few UPNs, as real returns do.
    expect(sut.identifiers.upn.invalid).toBeGreaterThan(0);
    expect(sut.fixes.join('\n')).toMatch(/upn values fail their check letter/);
  });
});
