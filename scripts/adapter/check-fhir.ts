import {
  FhirConnector,
  FhirSourceDriver,
  NHS_NUMBER_SYSTEM,
  patientToCandidate,
  verifiedNhsNumber,
  type FhirConnectorFile,
  type Patient,
} from '@mash/adapter-sdk';
import { isValidNhsNumber, type MatchSubject } from '@mash/matching';
import { estimateMatchRate, type CheckReport } from './check';

export interface FhirCheckOptions {
  file: string;
  definition: FhirConnectorFile;
  baseUrl: string;
  authorization?: string;
  sample?: { csv: string; map: string };
  recordsSample?: number;
  progress?: (message: string) => void;
}

/** Patients read per page while counting the source (the server may page smaller). */
const PAGE = 200;
/** A store with nothing in it: the check reads records, it never matches, so no model is needed. */
const NO_STORE = { query: async () => [] };

/**
 * `npm run adapter -- check` for a FHIR connector: the server answers (`metadata`), every Patient
 * is read page by page and counted (names, dates of birth, NHS numbers with their check digit and
 * UK Core verification status), each category is read for a sample of patients through the
 * connector itself, and the match rate is estimated as for a SQL source. Only GETs are sent, so
 * the credentials cannot write; counts only are reported, never a person's values.
 */
export async function checkFhirConnector(options: FhirCheckOptions): Promise<CheckReport> {
  const progress = options.progress ?? (() => undefined);
  const def = options.definition;
  const fixes: string[] = [];
  const blockers: string[] = [];
  // Counting walks the whole server, so it follows as many pages as there are.
  const source = new FhirSourceDriver(options.baseUrl, {
    timeoutMs: def.source.timeoutMs,
    maxPages: Number.MAX_SAFE_INTEGER,
    authorization: options.authorization,
  });
  try {
    await source.ping();
    progress('connected to the FHIR server (metadata answered)');
  } catch (error) {
    blockers.push(`the FHIR server does not answer: ${(error as Error).message}`);
    return report(options, { people: 0, variants: 0 }, {}, {}, undefined, blockers, fixes);
  }

  const patients = await source.search<Patient>('Patient', { _count: String(PAGE) });
  progress(`read ${patients.length} Patient resources`);
  if (patients.length === 0) blockers.push('the server returns no Patient for an open search');
  const missing = { givenName: 0, familyName: 0, dateOfBirth: 0 };
  const nhs = { present: 0, invalid: 0 };
  let unverified = 0;
  let variants = 0;
  const refs: string[] = [];
  const firstVariants: MatchSubject[] = [];
  for (const patient of patients) {
    const numbers = (patient.identifier ?? []).filter(
      (i) => i.system === NHS_NUMBER_SYSTEM && i.value,
    );
    nhs.present += numbers.length;
    nhs.invalid += numbers.filter((i) => !isValidNhsNumber(i.value!.replace(/\s+/g, ''))).length;
    if (numbers.length > 0 && verifiedNhsNumber(patient) === null) unverified++;
    const candidate = patientToCandidate(patient);
    if (!candidate) continue;
    refs.push(candidate.ref);
    firstVariants.push({ id: candidate.ref, ...candidate.variants[0] });
    for (const v of candidate.variants) {
      variants++;
      for (const f of ['givenName', 'familyName', 'dateOfBirth'] as const) if (!v[f]) missing[f]++;
    }
  }
  for (const [f, n] of Object.entries(missing))
    if (n > 0) fixes.push(`${n} Patient name or birth date variants have no ${f}`);
  if (nhs.invalid > 0)
    fixes.push(
      `${nhs.invalid} of ${nhs.present} NHS numbers fail their check digit: they are not used for matching`,
    );
  if (unverified > 0)
    fixes.push(
      `${unverified} patients have an NHS number whose UK Core verification status is not 01 (verified): it is left out of matching until it is traced`,
    );

  // Each category read through the connector itself, as a query would read it.
  const connector = new FhirConnector(def, {
    source,
    store: NO_STORE,
    outcomes: { deliver: async () => undefined },
  });
  const categories: CheckReport['categories'] = {};
  const sampleSize = Math.min(refs.length, options.recordsSample ?? 200);
  const step = refs.length / Math.max(1, sampleSize);
  const sampled = Array.from({ length: sampleSize }, (_, i) => refs[Math.floor(i * step)]);
  for (const name of Object.keys(def.categories)) {
    const entry: CheckReport['categories'][string] = {
      sampled: sampled.length,
      records: 0,
      peopleWithAny: 0,
      estimatedTotal: 0,
    };
    try {
      for (const ref of sampled) {
        const records = (await connector.fetchRecords(ref, [name]))[name] ?? [];
        entry.records += records.length;
        if (records.length > 0) entry.peopleWithAny++;
      }
      entry.estimatedTotal =
        sampled.length === 0 ? 0 : Math.round((entry.records / sampled.length) * refs.length);
    } catch (error) {
      entry.error = (error as Error).message.slice(0, 200);
      blockers.push(`categories.${name}: ${entry.error}`);
    }
    categories[name] = entry;
    progress(`category ${name}: ${entry.records} records for ${sampled.length} patients sampled`);
  }

  const matchRate = options.sample
    ? estimateMatchRate(options.sample, firstVariants, progress)
    : undefined;
  return report(
    options,
    { people: refs.length, variants, missing },
    { nhsNumber: nhs },
    categories,
    matchRate,
    blockers,
    fixes,
  );
}

function report(
  options: FhirCheckOptions,
  people: { people: number; variants: number; missing?: CheckReport['missing'] },
  identifiers: CheckReport['identifiers'],
  categories: CheckReport['categories'],
  matchRate: CheckReport['matchRate'],
  blockers: string[],
  fixes: string[],
): CheckReport {
  return {
    file: options.file,
    agency: options.definition.agency,
    driver: 'fhir',
    // Only GET is ever sent (FhirSourceDriver): nothing it holds can write.
    readOnly: { ok: true, privileges: [] },
    people: people.people,
    variants: people.variants,
    missing: people.missing ?? { givenName: 0, familyName: 0, dateOfBirth: 0 },
    badDates: 0,
    identifiers,
    categories,
    ...(matchRate ? { matchRate } : {}),
    fixes: [...blockers, ...fixes],
    blocking: blockers.length,
  };
}
