import { z } from 'zod';
import { AGENCIES, type SubjectCriteria } from '@mash/contracts';
import {
  decide,
  Matcher,
  prepare,
  queryVariants,
  type Queryable,
  type SourceCandidate,
  SourceMatcher,
} from '@mash/matching';
import type { FindResult, MashOutcomeFeedback, SourceConnector, SourceRecord } from '../connector';
import { OutcomeDeliverySchema, type OutcomeSink } from '../outcome-sink';
import { FhirSourceDriver, FhirSourceError } from './fhir-driver';
import {
  encountersToAttendances,
  flagsToRecords,
  generalPractitionerRecords,
  patientToCandidate,
} from './fhir-mapping';
import { type Encounter, type Flag, NHS_NUMBER_SYSTEM, type Patient } from './fhir-resources';

/*
 * A connector file for a FHIR R4 source (`source.driver: fhir`): the server's base URL, how to
 * search for people, and for each category the resource it is read from. No SQL and no code.
 */

const CategoryName = z.string().regex(/^[a-z][a-z0-9-]*$/);
const Codes = z.array(z.string().min(1)).min(1);

export const FhirCategorySchema = z.discriminatedUnion('from', [
  z
    .object({
      from: z.literal('Encounter'),
      description: z.string().optional(),
      class: Codes.optional().describe(
        'Encounter.class codes kept (EMER: emergency); all when absent.',
      ),
      status: Codes.optional().describe('Encounter.status values kept; all when absent.'),
    })
    .strict()
    .describe('Encounters of the subject as attendedOn, department, reason, outcome.'),
  z
    .object({
      from: z.literal('Flag'),
      description: z.string().optional(),
      status: Codes.default(['active']).describe('Flag.status values kept.'),
      codes: z
        .record(z.string().min(1), z.string().min(1))
        .optional()
        .describe(
          'Flag.code code -> the contract type it becomes; other flags are left out. Without it every flag, by its text.',
        ),
    })
    .strict()
    .describe('Flags of the subject as type, startedOn.'),
  z
    .object({
      from: z.literal('Patient.generalPractitioner'),
      description: z.string().optional(),
    })
    .strict()
    .describe('The registered GP practice as practiceName, registeredOn.'),
]);
export type FhirCategory = z.infer<typeof FhirCategorySchema>;

export const FHIR_SEARCHES = ['nhs-number', 'demographics'] as const;

export const FhirConnectorFileSchema = z
  .object({
    $schema: z.string().optional(),
    agency: z.enum(AGENCIES).describe('The agency this adapter answers for.'),
    source: z
      .object({
        driver: z.literal('fhir'),
        description: z.string().optional(),
        baseUrl: z
          .string()
          .url()
          .optional()
          .describe(
            'The FHIR R4 base URL; <AGENCY>_FHIR_URL or SOURCE_FHIR_URL in the environment wins.',
          ),
        timeoutMs: z.number().int().min(100).max(120_000).default(10_000),
      })
      .strict()
      .describe(
        'A FHIR R4 server (UK Core), read with GET only. A bearer token, if any, comes from <AGENCY>_FHIR_TOKEN.',
      ),
    identity: z
      .object({
        search: z
          .array(z.enum(FHIR_SEARCHES))
          .min(1)
          .default([...FHIR_SEARCHES])
          .describe(
            'How candidates are found: Patient?identifier=<NHS number system>|<number>, and Patient by family/given/birthdate.',
          ),
        maxCandidates: z
          .number()
          .int()
          .min(1)
          .max(200)
          .default(50)
          .describe('_count of each Patient search.'),
      })
      .strict()
      .default({ search: [...FHIR_SEARCHES], maxCandidates: 50 }),
    categories: z
      .record(CategoryName, FhirCategorySchema)
      .refine((c) => Object.keys(c).length > 0, 'name at least one category'),
    outcomes: OutcomeDeliverySchema.default({ to: 'store' }),
  })
  .strict();

export type FhirConnectorFile = z.infer<typeof FhirConnectorFileSchema>;

/** A FHIR logical id; any other ref is unknown here and is not sent to the server. */
const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/** The base URL and token of a FHIR connector from the environment, else the file. */
export function fhirSourceFromEnv(
  definition: FhirConnectorFile,
  env: NodeJS.ProcessEnv,
): { baseUrl: string; authorization?: string } {
  const upper = definition.agency.toUpperCase().replace(/-/g, '_');
  const baseUrl = env[`${upper}_FHIR_URL`] ?? env.SOURCE_FHIR_URL ?? definition.source.baseUrl;
  if (!baseUrl)
    throw new Error(
      `no FHIR base URL: set source.baseUrl in the connector file, or ${upper}_FHIR_URL`,
    );
  const token = env[`${upper}_FHIR_TOKEN`];
  return { baseUrl, ...(token ? { authorization: `Bearer ${token}` } : {}) };
}

export interface FhirConnectorResources {
  source: FhirSourceDriver;
  /** The adapter's own store: the matching model (`match_model`) and, by default, outcomes. */
  store: Queryable;
  outcomes: OutcomeSink;
}

/**
 * The connector of a FHIR R4 source. Candidates come from Patient searches (by NHS number, and by
 * demographics in pairs of fields, so one mistyped field still finds the record) and are scored by
 * the SDK's matcher exactly as a SQL source's candidate rows are. Records are read live.
 */
export class FhirConnector implements SourceConnector {
  readonly agency: FhirConnectorFile['agency'];
  readonly categories: readonly string[];
  private matcher?: Promise<Matcher>;

  constructor(
    readonly definition: FhirConnectorFile,
    private readonly resources: FhirConnectorResources,
  ) {
    this.agency = definition.agency;
    this.categories = Object.keys(definition.categories);
  }

  private getMatcher(): Promise<Matcher> {
    // The same model a SQL source uses: the store's fitted one, else the default.
    this.matcher ??= new SourceMatcher({ db: this.resources.store, loadCandidates: async () => [] })
      .model()
      .then((model) => new Matcher(model))
      .catch((error: unknown) => {
        this.matcher = undefined;
        throw error;
      });
    return this.matcher;
  }

  /** The Patient searches a query makes; each a blocking pass the server runs. */
  searches(criteria: SubjectCriteria): Array<Record<string, string>> {
    const { search, maxCandidates } = this.definition.identity;
    const count = String(maxCandidates);
    const out: Array<Record<string, string>> = [];
    const nhs = criteria.identifiers?.nhsNumber?.replace(/\s+/g, '');
    if (search.includes('nhs-number') && nhs)
      out.push({ identifier: `${NHS_NUMBER_SYSTEM}|${nhs}`, _count: count });
    if (search.includes('demographics')) {
      const { givenName: given, familyName: family, dateOfBirth: birthdate } = criteria;
      for (const f of [family, ...(criteria.previousFamilyNames ?? [])])
        out.push({ family: f, birthdate, _count: count });
      out.push({ given, birthdate, _count: count });
      out.push({ family, given, _count: count });
    }
    return out;
  }

  /** Every Patient any search returns, once, as matcher candidates. */
  async candidates(criteria: SubjectCriteria): Promise<SourceCandidate[]> {
    const pages = await Promise.all(
      this.searches(criteria).map((p) => this.resources.source.search<Patient>('Patient', p)),
    );
    const byId = new Map<string, SourceCandidate>();
    for (const patient of pages.flat()) {
      const candidate = patientToCandidate(patient);
      if (candidate && !byId.has(candidate.ref)) byId.set(candidate.ref, candidate);
    }
    return [...byId.values()];
  }

  async findSubject(criteria: SubjectCriteria): Promise<FindResult> {
    const [matcher, candidates] = await Promise.all([this.getMatcher(), this.candidates(criteria)]);
    const queries = queryVariants(criteria).map((q) => prepare(q));
    const { candidates: _count, ...result } = decide(matcher, queries, candidates);
    return result;
  }

  /** Unknown categories are left out; a ref that is not a Patient here yields empty lists. */
  async fetchRecords(
    subjectRef: string,
    categories: readonly string[],
  ): Promise<Record<string, SourceRecord[]>> {
    const result: Record<string, SourceRecord[]> = {};
    const known = FHIR_ID.test(subjectRef);
    let patient: Promise<Patient | null> | undefined;
    const readPatient = () =>
      (patient ??= this.resources.source
        .get<Patient>(`Patient/${subjectRef}`, {}, 'Patient read')
        .catch((error: unknown) => {
          if (error instanceof FhirSourceError && (error.status === 404 || error.status === 410))
            return null;
          throw error;
        }));
    for (const category of new Set(categories)) {
      const spec = this.definition.categories[category];
      if (!spec) continue;
      result[category] = known ? await this.read(spec, subjectRef, readPatient) : [];
    }
    return result;
  }

  private async read(
    spec: FhirCategory,
    id: string,
    patient: () => Promise<Patient | null>,
  ): Promise<SourceRecord[]> {
    const { source } = this.resources;
    switch (spec.from) {
      case 'Encounter':
        return encountersToAttendances(
          await source.search<Encounter>('Encounter', { subject: `Patient/${id}` }),
          spec,
        );
      case 'Flag':
        return flagsToRecords(
          await source.search<Flag>('Flag', { subject: `Patient/${id}` }),
          spec,
        );
      case 'Patient.generalPractitioner': {
        const p = await patient();
        return p ? generalPractitionerRecords(p) : [];
      }
    }
  }

  recordOutcome(outcome: MashOutcomeFeedback): Promise<void> {
    return this.resources.outcomes.deliver(outcome);
  }
}
