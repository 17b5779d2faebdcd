import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createConfiguredAdapter } from '@mash/adapter-sdk';

/**
 * The police adapter: the SDK and a connector file, no code of its own. `POLICE_CONNECTOR_FILE`
 * (or `CONNECTOR_FILE`) names another file; relative paths are from the working directory.
 */
export function createPoliceAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  const file = env.POLICE_CONNECTOR_FILE ?? env.CONNECTOR_FILE ?? 'deploy/connectors/police.yaml';
  return createConfiguredAdapter(resolve(file), env);
}
