import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConnectorFileError, parseAnyConnectorFile, parseConnectorFile } from '../connector-file';
import { FhirConnector, type FhirConnectorFile } from './fhir-connector';
import { FhirSourceDriver, FhirSourceError } from './fhir-driver';
import {
  encountersToAttendances,
  flagsToRecords,
  generalPractitionerRecords,
  londonDay,
  patientToCandidate,
  verifiedNhsNumber,
} from './fhir-mapping';
import type { Bundle, Encounter, Flag, Patient } from './fhir-resources';

const ROOT = join(__dirname, '../../../..');
type AnyResource = Patient | Encounter | Flag;
const bundle = JSON.parse(
  readFileSync(join(ROOT, 'test/fixtures/fhir/uk-core-bundle.json'), 'utf8'),
) as Bundle<AnyResource>;
const resources = (bundle.entry ?? []).map((e) => e.resource!);
const patient = (id: string) => resources.find((r) => r.id === id) as Patient;
const ofType = <T extends AnyResource>(type: T['resourceType'], subject: string) =>
  resources.filter(
    (r) => r.resourceType === type && (r as Encounter).subject?.reference === `Patient/${subject}`,
  ) as T[];
const connectorFile = join(ROOT, 'deploy/connectors/health-fhir.yaml');
const definition = () =>
  parseAnyConnectorFile(readFileSync(connectorFile, 'utf8')) as FhirConnectorFile;

describe('FHIR (UK Core) to the contract', () => {
  it('takes a verified NHS number and leaves out one whose trace is outstanding', () => {
    expect(verifiedNhsNumber(patient('child-elsie'))).toBe('9990218412');
    expect(verifiedNhsNumber(patient('child-nadia'))).toBeNull();
    // Without the extension the number counts, as a SQL source's column would.
    const bare: Patient = {
      resourceType: 'Patient',
      identifier: [{ system: 'https://fhir.nhs.uk/Id/nhs-number', value: '999 021 8420' }],
    };
    expect(verifiedNhsNumber(bare)).toBe('9990218420');
    expect(
      verifiedNhsNumber({ ...bare, identifier: [{ system: 'urn:other', value: '9990218420' }] }),
    ).toBeNull();
  });

  it('makes a Patient a candidate with a variant per name and address it is held under', () => {
    const sut = patientToCandidate(patient('child-elsie'));
    expect(sut?.ref).toBe('child-elsie');
    expect(sut?.variants).toHaveLength(4);
    expect(sut?.variants[0]).toEqual({
      givenName: 'Elsie May',
      familyName: 'Thornbury',
      dateOfBirth: '2017-03-09',
      sex: 'female',
      postcode: 'NN1 4AE',
      address: '12 Abington Square',
      identifiers: { nhsNumber: '9990218412' },
    });
    expect(sut?.variants.map((v) => `${v.familyName} ${v.postcode}`)).toEqual([
      'Thornbury NN1 4AE',
      'Thornbury NN1 3QT',
      'Marsh NN1 4AE',
      'Marsh NN1 3QT',
    ]);
    expect(patientToCandidate(patient('child-nadia'))?.variants[0].identifiers).toBeUndefined();
    expect(patientToCandidate({ resourceType: 'Patient' })).toBeNull();
  });

  it('reads emergency encounters as attendances, newest first, on the day in England', () => {
    const sut = encountersToAttendances(ofType<Encounter>('Encounter', 'child-elsie'), {
      class: ['EMER'],
    });
    expect(sut).toEqual([
      {
        // 23:30 UTC on 14 June is 00:30 on 15 June in London (BST).
        attendedOn: '2025-06-15',
        department: 'Paediatric Emergency Department',
        reason: 'Head injury',
        outcome: 'Usual place of residence',
      },
      {
        attendedOn: '2024-12-02',
        department: 'Emergency Department, Northampton General',
        reason: 'Burn to hand',
        outcome: "Referred to children's social care",
      },
    ]);
    expect(encountersToAttendances(ofType<Encounter>('Encounter', 'child-elsie'))).toHaveLength(3);
  });

  it('keeps active flags of the mapped codes only, under their contract type', () => {
    const flags = ofType<Flag>('Flag', 'child-elsie');
    expect(
      flagsToRecords(flags, { codes: { CPP: 'child-protection-plan', LAC: 'looked-after' } }),
    ).toEqual([{ type: 'child-protection-plan', startedOn: '2024-12-05' }]);
    expect(flagsToRecords(flags, { status: ['active', 'inactive'] })).toHaveLength(3);
  });

  it('reads the registered practice from Patient.generalPractitioner', () => {
    expect(generalPractitionerRecords(patient('child-elsie'))).toEqual([
      { practiceName: 'Abington Park Surgery', registeredOn: '2021-02-01' },
    ]);
    expect(generalPractitionerRecords(patient('child-nadia'))).toEqual([]);
  });

  it('gives the calendar day in England of a date or a dateTime', () => {
    expect(londonDay('2025-01-31T23:59:00Z')).toBe('2025-01-31');
    expect(londonDay('2025-07-31T23:59:00Z')).toBe('2025-08-01');
    expect(londonDay('2025-07-31')).toBe('2025-07-31');
    expect(londonDay(undefined)).toBeNull();
  });
});

describe('a FHIR connector file', () => {
  it('is accepted with its defaults, and refused by the SQL-only parser with a clear reason', () => {
    const def = definition();
    expect(def.source).toMatchObject({ driver: 'fhir', timeoutMs: 10000 });
    expect(Object.keys(def.categories)).toEqual(['attendances', 'flags', 'gp']);
    expect(() => parseConnectorFile(readFileSync(connectorFile, 'utf8'), 'x.yaml')).toThrow(
      /source.driver: fhir is a FHIR connector/,
    );
  });

  it('names an unknown resource and SQL where none belongs', () => {
    const bad = `
agency: health
source: { driver: fhir, baseUrl: 'http://127.0.0.1:1/fhir' }
categories:
  attendances: { from: Observation }
  flags: { from: Flag, sql: 'SELECT 1' }
`;
    expect.assertions(3);
    try {
      parseAnyConnectorFile(bad, 'x.yaml');
    } catch (error) {
      expect(error).toBeInstanceOf(ConnectorFileError);
      const problems = (error as ConnectorFileError).problems.join('\n');
      expect(problems).toMatch(/categories\.attendances\.from/);
      expect(problems).toMatch(/categories\.flags.*sql/);
    }
  });
});

/** A driver answering from the fixture bundle, recording the searches it was asked. */
class BundleDriver extends FhirSourceDriver {
  searched: Array<{ type: string; params: Record<string, string> }> = [];
  constructor() {
    super('http://fhir.invalid');
  }
  override search<T extends { resourceType: string }>(
    type: T['resourceType'],
    params: Record<string, string>,
  ): Promise<T[]> {
    this.searched.push({ type, params });
    const found = resources.filter((r) => {
      if (r.resourceType !== type) return false;
      if (params.subject) return (r as Encounter).subject?.reference === params.subject;
      const p = r as Patient;
      if (params.identifier) return params.identifier.endsWith(`|${verifiedNhsNumber(p) ?? '-'}`);
      const starts = (v: string | undefined, q: string) =>
        !!v?.toLowerCase().startsWith(q.toLowerCase());
      return (
        (!params.family || (p.name ?? []).some((n) => starts(n.family, params.family))) &&
        (!params.given ||
          (p.name ?? []).some((n) => (n.given ?? []).some((g) => starts(g, params.given)))) &&
        (!params.birthdate || p.birthDate === params.birthdate)
      );
    });
    return Promise.resolve(found as unknown as T[]);
  }
  override get<T>(path: string): Promise<T> {
    const found = resources.find((r) => `${r.resourceType}/${r.id}` === path);
    return found
      ? Promise.resolve(found as unknown as T)
      : Promise.reject(new FhirSourceError('FHIR.HTTP_ERROR', 'FHIR Patient read: HTTP 404', 404));
  }
}

describe(FhirConnector.name, () => {
  // No stored model: the matcher's default, as for a SQL source without a fitted one.
  const store = { query: () => Promise.resolve([]) };
  const outcomes = { deliver: jest.fn(() => Promise.resolve()) };
  const make = () => {
    const source = new BundleDriver();
    return { source, sut: new FhirConnector(definition(), { source, store, outcomes }) };
  };
  const elsie = { givenName: 'Elsie', familyName: 'Thornbury', dateOfBirth: '2017-03-09' };

  it('finds a child by NHS number, deterministically, through the same matcher as SQL', async () => {
    const { sut, source } = make();
    const found = await sut.findSubject({ ...elsie, identifiers: { nhsNumber: '9990218412' } });
    expect(found).toMatchObject({
      status: 'match',
      subjectRef: 'child-elsie',
      method: 'deterministic:nhsNumber',
    });
    expect(source.searched[0].params.identifier).toBe(
      'https://fhir.nhs.uk/Id/nhs-number|9990218412',
    );
  });

  it('finds a child by demographics despite a mistyped surname, and not her brother', async () => {
    const { sut } = make();
    const found = await sut.findSubject({
      ...elsie,
      familyName: 'Thornbery',
      postcode: 'NN1 4AE',
      sex: 'female',
    });
    expect(found).toMatchObject({ status: 'match', subjectRef: 'child-elsie' });
    expect(found.evidence?.find((e) => e.field === 'familyName')?.outcome).toBe('partial');
  });

  it('answers no-match for a child the server does not hold', async () => {
    const { sut } = make();
    const found = await sut.findSubject({
      givenName: 'Oswin',
      familyName: 'Penhaligon',
      dateOfBirth: '2012-01-01',
    });
    expect(found.status).toBe('no-match');
  });

  it('reads each permitted category from its resource, and nothing for an unknown ref', async () => {
    const { sut } = make();
    const records = await sut.fetchRecords('child-elsie', ['attendances', 'flags', 'gp', 'other']);
    expect(Object.keys(records)).toEqual(['attendances', 'flags', 'gp']);
    expect(records.attendances.map((a) => a.attendedOn)).toEqual(['2025-06-15', '2024-12-02']);
    expect(records.flags).toEqual([{ type: 'child-protection-plan', startedOn: '2024-12-05' }]);
    expect(records.gp).toEqual([
      { practiceName: 'Abington Park Surgery', registeredOn: '2021-02-01' },
    ]);
    expect(await sut.fetchRecords('no-such-patient', ['gp'])).toEqual({ gp: [] });
    expect(await sut.fetchRecords('../Patient?name=x', ['attendances'])).toEqual({
      attendances: [],
    });
  });
});

describe(FhirSourceDriver.name, () => {
  it('names neither the URL nor its query in an error', async () => {
    const fetch = jest.fn(() => Promise.resolve(new Response('{}', { status: 500 })));
    const sut = new FhirSourceDriver('http://fhir.invalid/fhir', { fetch });
    const error: unknown = await sut
      .search('Patient', { family: 'Thornbury', birthdate: '2017-03-09' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FhirSourceError);
    expect((error as FhirSourceError).message).toBe(
      'FHIR Patient search: HTTP 500 [FHIR.HTTP_ERROR]',
    );
    expect(String((error as Error).message)).not.toMatch(/Thornbury|2017/);
    const unreachable = new FhirSourceDriver('http://fhir.invalid/fhir', {
      fetch: () =>
        Promise.reject(
          new TypeError('fetch failed: http://fhir.invalid/fhir/Patient?family=Thornbury'),
        ),
    });
    await expect(unreachable.search('Patient', { family: 'Thornbury' })).rejects.toThrow(
      'FHIR Patient search: connection failed [FHIR.UNREACHABLE]',
    );
  });

  it('follows next pages and keeps only the type searched', async () => {
    const pages: Record<string, Bundle<AnyResource>> = {
      'http://f/Patient?family=T': {
        resourceType: 'Bundle',
        entry: [{ resource: patient('child-elsie') }],
        link: [{ relation: 'next', url: 'http://f/page2' }],
      },
      'http://f/page2': {
        resourceType: 'Bundle',
        entry: [
          { resource: patient('child-ruben') },
          { resource: resources.find((r) => r.resourceType === 'Flag')! },
        ],
      },
    };
    const fetch = jest.fn((url: string) =>
      Promise.resolve(new Response(JSON.stringify(pages[url]), { status: 200 })),
    );
    const sut = new FhirSourceDriver('http://f/', {
      fetch: fetch as unknown as typeof globalThis.fetch,
    });
    const found = await sut.search<Patient>('Patient', { family: 'T' });
    expect(found.map((p) => p.id)).toEqual(['child-elsie', 'child-ruben']);
    expect(await sut.writePrivileges()).toEqual([]);
  });
});
