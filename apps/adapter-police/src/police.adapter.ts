import type { INestApplication } from '@nestjs/common';
import { createAdapterApp, loadAdapterConfig } from '@mash/adapter-sdk';
import { PoliceConnector, PoliceSourceEntities, PoliceSourceMigrations } from './source';

/** The police adapter: the SDK plus this agency's source-system connector. */
export function createPoliceAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  return createAdapterApp({
    config: loadAdapterConfig('police', env),
    connector: (dataSource) => new PoliceConnector(dataSource),
    entities: PoliceSourceEntities,
    migrations: PoliceSourceMigrations,
  });
}
