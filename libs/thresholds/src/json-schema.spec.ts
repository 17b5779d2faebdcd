import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { thresholdMatrixJsonSchema } from './json-schema';
import { REQUIRED_CONCERN_CODES } from './schema';

describe(thresholdMatrixJsonSchema.name, () => {
  const sut = thresholdMatrixJsonSchema;

  it('matches the committed threshold-matrix.schema.json (regenerate with libs/thresholds/write-json-schema.ts)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(join(__dirname, '../threshold-matrix.schema.json'), 'utf8'),
    );
    expect(committed).toEqual(sut());
  });

  it('requires every contract concern code and constrains the names of added ones', () => {
    const schema = sut() as {
      properties: { concerns: { required: string[]; propertyNames: { pattern: string } } };
    };
    expect(schema.properties.concerns.required.sort()).toEqual([...REQUIRED_CONCERN_CODES].sort());
    const pattern = new RegExp(schema.properties.concerns.propertyNames.pattern);
    expect(pattern.test('universal-advice')).toBe(true);
    expect(pattern.test('Universal_Advice')).toBe(false);
  });
});
