/**
 * `npm run adapter -- check <connector file> [--source-url URL] [--sample people.csv --map map.json] [--records-sample N] [--json]`
 * checks a connector against its source before go-live (docs/onboarding.md);
 * `npm run adapter -- run <connector file>` runs an adapter from the file alone;
 * `npm run adapter -- import <connector file> <file.xml> [--kind ctf|cin]` imports a CTF or CIN
 * census file into the store of an adapter that shares by file (docs/sources.md).
 * The source URL is `--source-url`, else `<AGENCY>_DATABASE_URL`, else `SOURCE_DATABASE_URL`; for a
 * FHIR connector, `--source-url`, else `<AGENCY>_FHIR_URL`, `SOURCE_FHIR_URL` or the file's base URL.
 */
import 'reflect-metadata';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ConnectorFileError,
  createConfiguredAdapter,
  FileImportError,
  fhirSourceFromEnv,
  isFhirConnectorFile,
  loadAdapterConfig,
  loadAnyConnectorFile,
  loadConnectorFile,
} from '@mash/adapter-sdk';
import { checkConnector, formatReport } from './adapter/check';
import { checkFhirConnector } from './adapter/check-fhir';
import { importFile } from './adapter/import';

const USAGE = `Usage: npm run adapter -- check <connector file> [--source-url URL] [--sample people.csv --map mapping.json] [--records-sample 200] [--json]
       npm run adapter -- run <connector file>
       npm run adapter -- import <connector file> <file.xml> [--kind ctf|cin]`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'source-url': { type: 'string' },
      sample: { type: 'string' },
      map: { type: 'string' },
      'records-sample': { type: 'string' },
      json: { type: 'boolean' },
      kind: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, file, xml] = positionals;
  if (
    values.help ||
    !file ||
    !['check', 'run', 'import'].includes(command) ||
    (command === 'import' && !xml) ||
    (values.kind !== undefined && values.kind !== 'ctf' && values.kind !== 'cin')
  ) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  if (command === 'import') {
    const summary = await importFile({
      connectorFile: resolve(file),
      file: resolve(xml),
      kind: values.kind as 'ctf' | 'cin' | undefined,
      progress: (m) => process.stderr.write(`[import] ${m}\n`),
    });
    process.stdout.write(
      `imported ${summary.people} people (${summary.added} new) and ${summary.records} records from ${summary.source} (import ${summary.importId})\n`,
    );
    return 0;
  }
  if (command === 'run') {
    const app = await createConfiguredAdapter(resolve(file));
    process.stdout.write(`adapter listening on ${await app.getUrl()}\n`);
    return -1;
  }
  if ((values.sample === undefined) !== (values.map === undefined)) {
    process.stderr.write(`--sample and --map go together\n${USAGE}\n`);
    return 2;
  }
  const any = loadAnyConnectorFile(resolve(file));
  if (isFhirConnectorFile(any)) {
    // A FHIR server: its base URL from --source-url, else the environment or the file.
    const { baseUrl, authorization } = fhirSourceFromEnv(any, process.env);
    const report = await checkFhirConnector({
      file: resolve(file),
      definition: any,
      baseUrl: values['source-url'] ?? baseUrl,
      authorization,
      sample: values.sample ? { csv: values.sample, map: values.map! } : undefined,
      recordsSample: values['records-sample'] ? Number(values['records-sample']) : undefined,
      progress: (m) => process.stderr.write(`[check] ${m}\n`),
    });
    process.stdout.write(
      values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report),
    );
    return report.blocking === 0 ? 0 : 1;
  }
  const definition = loadConnectorFile(resolve(file));
  const agency = definition.agency;
  const sourceUrl =
    values['source-url'] ??
    // A connector over imported files reads the adapter's own store.
    (definition.source.driver === 'files'
      ? loadAdapterConfig(agency).storeDatabaseUrl
      : undefined) ??
    process.env[`${agency.toUpperCase().replace(/-/g, '_')}_DATABASE_URL`] ??
    process.env.SOURCE_DATABASE_URL;
  if (!sourceUrl) {
    process.stderr.write(
      `no source URL: pass --source-url or set ${agency.toUpperCase().replace(/-/g, '_')}_DATABASE_URL\n`,
    );
    return 2;
  }
  const report = await checkConnector({
    file: resolve(file),
    sourceUrl,
    sample: values.sample ? { csv: values.sample, map: values.map! } : undefined,
    recordsSample: values['records-sample'] ? Number(values['records-sample']) : undefined,
    progress: (m) => process.stderr.write(`[check] ${m}\n`),
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
  // Data-quality findings are reported; only what blocks go-live fails the check.
  return report.blocking === 0 ? 0 : 1;
}

main()
  .then((code) => {
    if (code >= 0) process.exit(code);
  })
  .catch((error: unknown) => {
    if (error instanceof FileImportError) {
      // Nothing was written: the file is validated whole before the one transaction that writes it.
      process.stderr.write(`the file was refused, nothing imported: ${error.message}\n`);
      process.exit(3);
    }
    if (error instanceof ConnectorFileError) {
      process.stderr.write(
        `${error.file} is not a valid connector file:\n${error.problems.map((p) => `  - ${p}`).join('\n')}\n`,
      );
      process.exit(2);
    }
    process.stderr.write(
      `[adapter] failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
