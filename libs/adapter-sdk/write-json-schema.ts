// Regenerates connector.schema.json from the zod schema (connector-file.spec.ts fails on drift).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectorFileJsonSchema } from './src/connector-file';

const target = join(__dirname, 'connector.schema.json');
writeFileSync(target, `${JSON.stringify(connectorFileJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${target}\n`);
