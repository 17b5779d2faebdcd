import { resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { createConfiguredAdapter } from '@mash/adapter-sdk';

/**
 * The education adapter: the SDK and a connector file, no code of its own. `EDUCATION_CONNECTOR_FILE`
 * (or `CONNECTOR_FILE`) names another file; relative paths are from the working directory.
 */
export function createEducationAdapter(
  env: NodeJS.ProcessEnv = process.env,
): Promise<INestApplication> {
  const file =
    env.EDUCATION_CONNECTOR_FILE ?? env.CONNECTOR_FILE ?? 'deploy/connectors/education.yaml';
  return createConfiguredAdapter(resolve(file), env);
}
