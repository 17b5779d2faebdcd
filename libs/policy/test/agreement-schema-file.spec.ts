import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { agreementJsonSchema } from '@mash/policy';

describe(agreementJsonSchema.name, () => {
  it('matches the committed libs/policy/agreement.schema.json (regenerate with: node -r @swc-node/register libs/policy/generate-schema.ts)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(__dirname, '..', 'agreement.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(agreementJsonSchema());
  });
});
