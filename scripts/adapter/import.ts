import { DataSource } from 'typeorm';
import { ensureDatabase } from '@mash/common';
import {
  AdapterSdkEntities,
  AdapterSdkMigrations,
  type FileKind,
  type ImportSummary,
  loadAdapterConfig,
  loadConnectorFile,
  parseFile,
  writeImport,
} from '@mash/adapter-sdk';

/** Which kind of file each agency shares (the connector file names the agency). */
const KIND_BY_AGENCY: Record<string, FileKind> = { education: 'ctf', 'social-care': 'cin' };

/**
 * Imports a CTF or CIN census file into the store of the adapter a connector file describes
 * (`source.driver: files`): validated whole first, then written in one transaction, so a bad file
 * changes nothing. The running adapter's match index learns the people from the change feed.
 */
export async function importFile(options: {
  connectorFile: string;
  file: string;
  kind?: FileKind;
  storeUrl?: string;
  env?: NodeJS.ProcessEnv;
  progress?: (message: string) => void;
}): Promise<ImportSummary> {
  const definition = loadConnectorFile(options.connectorFile);
  if (definition.source.driver !== 'files')
    throw new Error(
      `${options.connectorFile} reads a ${definition.source.driver} source: files are imported only for a connector with source.driver: files`,
    );
  const kind = options.kind ?? KIND_BY_AGENCY[definition.agency];
  if (!kind) throw new Error(`say which kind of file (--kind ctf|cin) ${definition.agency} shares`);
  const progress = options.progress ?? (() => undefined);
  const storeUrl =
    options.storeUrl ??
    loadAdapterConfig(definition.agency, options.env ?? process.env).storeDatabaseUrl;

  let lastReport = 0;
  const parsed = await parseFile(kind, options.file, {
    progress: (bytes, people) => {
      if (bytes - lastReport < 8 * 1024 * 1024) return;
      lastReport = bytes;
      progress(`read ${(bytes / 1048576).toFixed(0)} MiB, ${people} people`);
    },
  });
  progress(`${parsed.people.length} people valid in ${parsed.bytes} bytes (${parsed.source})`);

  await ensureDatabase(storeUrl);
  const ds = new DataSource({
    type: 'postgres',
    url: storeUrl,
    entities: AdapterSdkEntities,
    migrations: AdapterSdkMigrations,
    // Query parameters hold personal data: never logged.
    logging: false,
  });
  await ds.initialize();
  try {
    await ds.runMigrations({ transaction: 'each' });
    const runner = ds.createQueryRunner();
    try {
      return await writeImport(runner, parsed, options.file, (done, total) =>
        progress(`written ${done}/${total} people`),
      );
    } finally {
      await runner.release();
    }
  } finally {
    await ds.destroy();
  }
}
