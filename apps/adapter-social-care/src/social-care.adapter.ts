import type { INestApplication } from '@nestjs/common';
import { createAdapterApp, loadAdapterConfig } from '@mash/adapter-sdk';
import {
  SocialCareConnector,
  SocialCareSourceEntities,
  SocialCareSourceMigrations,
} from './source';

/** The social-care adapter: the SDK plus this agency's source-system connector. */
export function createSocialCareAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  return createAdapterApp({
    config: loadAdapterConfig('social-care', env),
    connector: (dataSource) => new SocialCareConnector(dataSource),
    entities: SocialCareSourceEntities,
    migrations: SocialCareSourceMigrations,
  });
}
