// Regenerates threshold-matrix.schema.json from the zod schema (json-schema.spec.ts fails on drift).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { thresholdMatrixJsonSchema } from './src/json-schema';

const target = join(__dirname, 'threshold-matrix.schema.json');
writeFileSync(target, `${JSON.stringify(thresholdMatrixJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${target}\n`);
