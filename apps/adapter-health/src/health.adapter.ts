import type { INestApplication } from '@nestjs/common';
import { createAdapterApp, loadAdapterConfig } from '@mash/adapter-sdk';
import { HealthConnector, HealthSourceEntities, HealthSourceMigrations } from './source';

/** The health adapter: the SDK plus this agency's source-system connector. */
export function createHealthAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  return createAdapterApp({
    config: loadAdapterConfig('health', env),
    connector: (dataSource) => new HealthConnector(dataSource),
    entities: HealthSourceEntities,
    migrations: HealthSourceMigrations,
  });
}
