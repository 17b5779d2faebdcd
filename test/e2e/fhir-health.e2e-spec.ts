/**
 * FHIR R4 for health (issue 18): the health adapter runs on its FHIR connector file
 * (`deploy/connectors/health-fhir.yaml`) against a real FHIR server — HAPI FHIR's RestfulServer,
 * built and started by test/fhir-server — loaded with UK Core-shaped resources; a federated query
 * through the broker gets the child's attendances, flags and GP from it.
 */
import { resolve } from 'node:path';
import request from 'supertest';
import { isFhirConnectorFile, loadAnyConnectorFile } from '@mash/adapter-sdk';
import { formatReport } from '../../scripts/adapter/check';
import { checkFhirConnector } from '../../scripts/adapter/check-fhir';
import { startFhirServer, type RunningFhirServer } from '../fhir-server/fhir-server';
import {
  baseEnv,
  dropDatabases,
  eventually,
  Federation,
  ROOT,
  status,
} from '../support/federation';

describe('The health adapter on a FHIR R4 server', () => {
  let fhir: RunningFhirServer;
  let federation: Federation;

  beforeAll(async () => {
    // The JVM starts while the databases are dropped (which may wait for another e2e file's lock).
    const started = Date.now();
    const server = startFhirServer(resolve(ROOT, 'test/fixtures/fhir/uk-core-bundle.json')).then(
      (s) => {
        process.stderr.write(`fhir-server: ready in ${Date.now() - started} ms\n`);
        return s;
      },
    );
    [fhir] = await Promise.all([server, dropDatabases(['broker', 'health'])]);
    federation = new Federation(
      baseEnv({
        HEALTH_CONNECTOR_FILE: resolve(ROOT, 'deploy/connectors/health-fhir.yaml'),
        HEALTH_FHIR_URL: fhir.baseUrl,
      }),
    );
    await federation.startBroker();
    await federation.startAdapter('health');
  }, 180_000);

  afterAll(async () => {
    await federation?.stop();
    await fhir?.stop();
  });

  const ask = async (subject: Parameters<Federation['openCaseWithoutConsent']>[0]) => {
    const analyst = await federation.token('analyst');
    const caseId = await federation.openCaseWithoutConsent(subject, {
      referrer: { agency: 'education' },
      concerns: ['physical-abuse'],
    });
    const asked = await request(federation.http())
      .post(`/api/v1/cases/${caseId}/queries`)
      .set('Authorization', `Bearer ${analyst}`)
      .send({ purpose: 'mash-triage', agencies: ['health'] })
      .expect(status(202));
    expect(asked.body.agencies).toEqual([
      expect.objectContaining({ agency: 'health', decision: 'permit' }),
    ]);
    const done = await eventually(async () => {
      const res = await request(federation.http())
        .get(`/api/v1/queries/${asked.body.id}`)
        .set('Authorization', `Bearer ${analyst}`)
        .expect(status(200));
      return res.body.status === 'pending' ? undefined : res.body;
    }, 30_000);
    return done.agencies[0];
  };

  it("answers a query by NHS number with the child's attendances, flags and GP from FHIR", async () => {
    const health = await ask({
      givenName: 'Elsie',
      familyName: 'Thornbury',
      dateOfBirth: '2017-03-09',
      postcode: 'NN1 4AE',
      identifiers: { nhsNumber: '9990218412' },
    });
    expect(health).toMatchObject({ agency: 'health', status: 'match' });
    // Emergency encounters only (not the outpatient one), newest first; the reason is redacted
    // by the agreement's minimisation, as it is for the SQL connector.
    expect(health.records.attendances).toEqual([
      {
        attendedOn: '2025-06-15',
        department: 'Paediatric Emergency Department',
        reason: '[redacted]',
        outcome: 'Usual place of residence',
      },
      {
        attendedOn: '2024-12-02',
        department: 'Emergency Department, Northampton General',
        reason: '[redacted]',
        outcome: "Referred to children's social care",
      },
    ]);
    expect(health.records.flags).toEqual([
      expect.objectContaining({ type: 'child-protection-plan' }),
    ]);
    expect(health.records.gp).toEqual([
      expect.objectContaining({ practiceName: 'Abington Park Surgery' }),
    ]);
  });

  it('finds the child by demographics alone, under her former surname and address', async () => {
    const health = await ask({
      givenName: 'Elsie',
      familyName: 'Marsh',
      dateOfBirth: '2017-03-09',
      postcode: 'NN1 3QT',
    });
    expect(health).toMatchObject({ agency: 'health', status: 'match' });
    expect(health.records.flags).toEqual([
      expect.objectContaining({ type: 'child-protection-plan' }),
    ]);
  });

  it('checks the FHIR connector before go-live: patients, NHS numbers and categories counted', async () => {
    const file = resolve(ROOT, 'deploy/connectors/health-fhir.yaml');
    const definition = loadAnyConnectorFile(file);
    if (!isFhirConnectorFile(definition)) throw new Error('health-fhir.yaml is not a FHIR file');
    const report = await checkFhirConnector({ file, definition, baseUrl: fhir.baseUrl });
    expect(report).toMatchObject({
      driver: 'fhir',
      readOnly: { ok: true },
      people: 4,
      identifiers: { nhsNumber: { present: 4, invalid: 0 } },
      blocking: 0,
    });
    // One fixture patient's NHS number is not traced (verification status 03).
    expect(report.fixes).toEqual([
      expect.stringContaining('1 patients have an NHS number whose UK Core verification status'),
    ]);
    for (const name of ['attendances', 'flags', 'gp']) {
      expect(report.categories[name]).toMatchObject({ sampled: 4 });
      expect(report.categories[name].error).toBeUndefined();
      expect(report.categories[name].records).toBeGreaterThan(0);
    }
    expect(formatReport(report)).toContain('people        4');
    // A server that is not there blocks go-live, and says so.
    const down = await checkFhirConnector({
      file,
      definition,
      baseUrl: 'http://127.0.0.1:9/fhir',
    });
    expect(down.blocking).toBe(1);
    expect(down.fixes[0]).toMatch(/^the FHIR server does not answer: .*\[FHIR\.UNREACHABLE\]$/);
  });
});
