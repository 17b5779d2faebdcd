import type { INestApplication } from '@nestjs/common';
import { createAdapterApp, loadAdapterConfig } from '@mash/adapter-sdk';
import { EducationConnector, EducationSourceEntities, EducationSourceMigrations } from './source';

/** The education adapter: the SDK plus this agency's source-system connector. */
export function createEducationAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  return createAdapterApp({
    config: loadAdapterConfig('education', env),
    connector: (dataSource) => new EducationConnector(dataSource),
    entities: EducationSourceEntities,
    migrations: EducationSourceMigrations,
  });
}
