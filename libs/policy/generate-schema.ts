// Writes libs/policy/agreement.schema.json from the zod schema:
//   node -r @swc-node/register libs/policy/generate-schema.ts
// libs/policy/test/agreement-schema-file.spec.ts fails when the committed file is stale.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agreementJsonSchema } from '@mash/policy';

const target = join(__dirname, 'agreement.schema.json');
writeFileSync(target, `${JSON.stringify(agreementJsonSchema(), null, 2)}\n`);
process.stderr.write(`wrote ${target}\n`);
