import type { INestApplication } from '@nestjs/common';
import { createAdapterApp } from './bootstrap';
import { loadAdapterConfig } from './config';
import type { Queryable } from '@mash/matching';
import {
  ConfiguredConnector,
  isFhirConnectorFile,
  loadAnyConnectorFile,
  loadConnectorFile,
} from './connector-file';
import { FhirConnector, fhirSourceFromEnv } from './fhir/fhir-connector';
import { FhirSourceDriver } from './fhir/fhir-driver';
import { outcomeSink, type OutcomeSink } from './outcome-sink';
import { createSourceDriver, type SourceDriver } from './source-driver';

/**
 * An adapter from a connector file alone: the file names the agency, the source driver, the SQL
 * and the outcome interface; the environment gives the connections (read-only source URL, the
 * adapter's own database), Kafka and keys.
 */
export function createConfiguredAdapter(
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  const definition = loadAnyConnectorFile(file);
  const config = loadAdapterConfig(definition.agency, env);
  if (isFhirConnectorFile(definition)) {
    const { baseUrl, authorization } = fhirSourceFromEnv(definition, env);
    const fhir = new FhirSourceDriver(baseUrl, {
      timeoutMs: definition.source.timeoutMs,
      authorization,
    });
    return createAdapterApp({
      config: { ...config, sourceDatabaseUrl: baseUrl },
      sourceDriver: 'fhir',
      source: fhir,
      outcomes: definition.outcomes,
      connector: ({ store, outcomes }) =>
        new FhirConnector(definition, { source: fhir, store, outcomes }),
    });
  }
  return createAdapterApp({
    // An agency that shares by file has no system to read: its source is the imported files, in the store.
    config:
      definition.source.driver === 'files'
        ? { ...config, sourceDatabaseUrl: config.storeDatabaseUrl }
        : config,
    sourceDriver: definition.source.driver,
    outcomes: definition.outcomes,
    indexPollMs: definition.index.pollMs,
    connector: (resources) => new ConfiguredConnector(definition, resources),
  });
}

/**
 * A connector from a file outside a running adapter (the `check` tool, tests, benchmarks): the
 * source opened read-only through the file's driver, the index read from `store`.
 */
export function openConfiguredConnector(
  file: string,
  options: { sourceUrl: string; store: Queryable; outcomes?: OutcomeSink },
): { connector: ConfiguredConnector; source: SourceDriver; close: () => Promise<void> } {
  const definition = loadConnectorFile(file);
  const source = createSourceDriver(definition.source.driver, options.sourceUrl);
  const outcomes =
    options.outcomes ??
    outcomeSink(definition.outcomes, options.store as Parameters<typeof outcomeSink>[1]);
  const connector = new ConfiguredConnector(definition, { source, store: options.store, outcomes });
  return { connector, source, close: () => source.close() };
}
