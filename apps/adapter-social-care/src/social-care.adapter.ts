import type { INestApplication } from '@nestjs/common';
import { createAdapterApp, loadAdapterConfig } from '@mash/adapter-sdk';
import { SocialCareConnector } from './source';

/**
 * The social-care adapter: the SDK plus this agency's connector in code (see its comment for why
 * not a connector file). It reads the source read-only and keeps its state in its own database.
 */
export function createSocialCareAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  return createAdapterApp({
    config: loadAdapterConfig('social-care', env),
    connector: ({ source, store, outcomes }) =>
      new SocialCareConnector(source, store, { outcomes }),
  });
}
