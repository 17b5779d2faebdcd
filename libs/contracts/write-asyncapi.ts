/** Regenerates libs/contracts/asyncapi.yaml from the zod schemas: node -r @swc-node/register libs/contracts/write-asyncapi.ts */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { asyncApiDocument } from './src/asyncapi';

writeFileSync(
  join(__dirname, 'asyncapi.yaml'),
  `# Generated from libs/contracts/src by write-asyncapi.ts; do not edit by hand.\n${stringify(asyncApiDocument(), { aliasDuplicateObjects: false })}`,
);
