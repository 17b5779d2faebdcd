/**
 * School and census files (issue 18): an education adapter whose schools share by file runs from
 * `deploy/connectors/education-files.yaml`; a Common Transfer File imported into its store is
 * answered through the federation, and a malformed one is refused whole, naming its line and
 * element, with not a row changed.
 */
import { resolve } from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { FileImportError } from '@mash/adapter-sdk';
import {
  adapterStoreUrl,
  baseEnv,
  dropDatabases,
  eventually,
  Federation,
  ROOT,
  status,
} from '../support/federation';
import { importFile } from '../../scripts/adapter/import';

const FIXTURES = resolve(ROOT, 'test/fixtures/files');
const CONNECTOR = resolve(ROOT, 'deploy/connectors/education-files.yaml');

describe('School files imported into an adapter that shares by file', () => {
  let federation: Federation;
  let store: Client;

  const counts = async () =>
    (
      await store.query<{ people: number; records: number; imports: number; changed: string }>(
        `SELECT (SELECT count(*)::int FROM file_person) AS people,
                (SELECT max(updated_at)::text FROM file_person) AS changed,
                (SELECT count(*)::int FROM file_record) AS records,
                (SELECT count(*)::int FROM file_import) AS imports`,
      )
    ).rows[0];

  beforeAll(async () => {
    await dropDatabases(['broker', 'education']);
    federation = new Federation(baseEnv({ EDUCATION_CONNECTOR_FILE: CONNECTOR }));
    await federation.startBroker();
    await federation.startAdapter('education');
    store = new Client({ connectionString: adapterStoreUrl('education') });
    await store.connect();
  }, 120_000);

  afterAll(async () => {
    await store?.end();
    await federation?.stop();
  });

  it('answers a query about a pupil from an imported CTF', async () => {
    const imported = await importFile({
      connectorFile: CONNECTOR,
      file: resolve(FIXTURES, 'ctf-valid.xml'),
      storeUrl: adapterStoreUrl('education'),
    });
    expect(imported).toMatchObject({ kind: 'ctf', people: 2, added: 2, records: 5 });
    const importedAt = Date.now();

    const analyst = await federation.token('analyst');
    const caseId = await federation.openCaseWithoutConsent(
      {
        givenName: 'Imogen',
        familyName: 'Fairbrother',
        dateOfBirth: '2015-03-09',
        postcode: 'NN1 3EA',
      },
      { referrer: { agency: 'police' }, concerns: ['neglect'] },
    );
    // The match index learns the pupils from the change feed (pollMs 1 s): ask until it has.
    const answer = await eventually(async () => {
      const asked = await request(federation.http())
        .post(`/api/v1/cases/${caseId}/queries`)
        .set('Authorization', `Bearer ${analyst}`)
        .send({ purpose: 'mash-triage', agencies: ['education'] })
        .expect(status(202));
      const done = await eventually(async () => {
        const res = await request(federation.http())
          .get(`/api/v1/queries/${asked.body.id}`)
          .set('Authorization', `Bearer ${analyst}`)
          .expect(status(200));
        return res.body.status === 'pending' ? undefined : res.body;
      }, 20_000);
      return done.agencies[0].status === 'match' ? done.agencies[0] : undefined;
    }, 20_000);
    process.stdout.write(`CTF import to federated match: ${Date.now() - importedAt} ms\n`);
    expect(answer.agency).toBe('education');
    expect(answer.records.enrolment).toEqual([
      expect.objectContaining({ schoolName: 'Demoshire Primary School', urn: '110501' }),
    ]);
    expect(answer.records.attendance).toEqual([
      { term: '2025/26', percentage: 80 },
      { term: '2024/25', percentage: 84.7 },
    ]);
  }, 60_000);

  it.each([
    ['ctf-missing-dob.xml', 80, 'CTfile/CTFpupilData/Pupil[2]/DOB', 'FILE.ELEMENT_MISSING'],
    ['ctf-malformed.xml', 25, 'CTfile/CTFpupilData/Pupil[1]/Forename', 'FILE.XML_MALFORMED'],
    ['ctf-bad-upn.xml', 81, 'CTfile/CTFpupilData/Pupil[2]/UPN', 'FILE.UPN_CHECK_LETTER'],
  ])('refuses %s whole, naming its line and element', async (file, line, element, code) => {
    const before = await counts();
    // The files before the bad pupil are valid: a half-import would add an import, or touch a pupil.
    const error = await importFile({
      connectorFile: CONNECTOR,
      file: resolve(FIXTURES, file),
      storeUrl: adapterStoreUrl('education'),
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(FileImportError);
    expect(error).toMatchObject({ code, line, element });
    expect(await counts()).toEqual(before);
  });
});
