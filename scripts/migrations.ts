/**
 * `npm run migration:check`: applies the committed migrations to a scratch database and fails
 * when the entities need any schema change the migrations do not make (the CI drift check).
 * `npm run migration:generate -- <Name>`: prints the SQL a new migration needs.
 */
import 'reflect-metadata';
import { Client } from 'pg';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ensureDatabase, withDatabase } from '@mash/common';
import { brokerDataSourceOptions } from '../apps/broker/src/data-source';
import { AdapterSdkEntities, AdapterSdkMigrations } from '@mash/adapter-sdk';
import { PoliceSourceEntities, PoliceSourceMigrations } from '../apps/adapter-police/src/source';
import { HealthSourceEntities, HealthSourceMigrations } from '../apps/adapter-health/src/source';
import {
  EducationSourceEntities,
  EducationSourceMigrations,
} from '../apps/adapter-education/src/source';
import {
  SocialCareSourceEntities,
  SocialCareSourceMigrations,
} from '../apps/adapter-social-care/src/source';

const base = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** An example agency's source schema: its own tables only (the adapter's live in its store). */
function sourceOptions(url: string, entities: unknown[], migrations: unknown[]): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities: entities as DataSourceOptions['entities'],
    migrations: migrations as Array<new () => never>,
    synchronize: false,
    logging: ['error'],
  } as DataSourceOptions;
}

const schemas: Array<{ name: string; options: (url: string) => DataSourceOptions }> = [
  { name: 'broker', options: brokerDataSourceOptions },
  {
    name: 'adapter-store',
    options: (u) => sourceOptions(u, AdapterSdkEntities, AdapterSdkMigrations),
  },
  {
    name: 'police',
    options: (u) => sourceOptions(u, PoliceSourceEntities, PoliceSourceMigrations),
  },
  {
    name: 'health',
    options: (u) => sourceOptions(u, HealthSourceEntities, HealthSourceMigrations),
  },
  {
    name: 'education',
    options: (u) => sourceOptions(u, EducationSourceEntities, EducationSourceMigrations),
  },
  {
    name: 'social-care',
    options: (u) => sourceOptions(u, SocialCareSourceEntities, SocialCareSourceMigrations),
  },
];

async function drift(
  name: string,
  options: (url: string) => DataSourceOptions,
): Promise<{ up: string[]; down: string[] }> {
  const db = `mash_migcheck_${name.replace('-', '_')}_${process.pid}`;
  const url = withDatabase(base, db);
  await ensureDatabase(url);
  const ds = new DataSource(options(url));
  try {
    await ds.initialize();
    await ds.runMigrations({ transaction: 'each' });
    const log = await ds.driver.createSchemaBuilder().log();
    return { up: log.upQueries.map((q) => q.query), down: log.downQueries.map((q) => q.query) };
  } finally {
    await ds.destroy().catch(() => undefined);
    const admin = new Client({ connectionString: withDatabase(base, 'postgres') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${db}" WITH (FORCE)`);
    await admin.end();
  }
}

async function main(): Promise<void> {
  const [command, only] = process.argv.slice(2);
  let failed = false;
  for (const schema of schemas) {
    if (only && only !== schema.name) continue;
    process.stderr.write(`checking ${schema.name} migrations against entities...\n`);
    const { up, down } = await drift(schema.name, schema.options);
    if (up.length === 0) {
      process.stderr.write(`  ${schema.name}: migrations match the entities\n`);
      continue;
    }
    failed = true;
    process.stderr.write(`  ${schema.name}: ${up.length} statement(s) missing from migrations\n`);
    if (command === 'generate') {
      process.stdout.write(
        `// ${schema.name} up\n${up.map((q) => `await q.query(\`${q}\`);`).join('\n')}\n`,
      );
      process.stdout.write(
        `// ${schema.name} down\n${down
          .reverse()
          .map((q) => `await q.query(\`${q}\`);`)
          .join('\n')}\n`,
      );
    } else {
      for (const q of up) process.stderr.write(`    ${q}\n`);
    }
  }
  if (failed && command === 'check') process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
