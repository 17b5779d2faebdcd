import { z } from 'zod';
import { CONCERN_CODE_PATTERN, ConcernsSchema, ThresholdMatrixSchema } from './schema';

export const THRESHOLD_MATRIX_SCHEMA_ID =
  'https://mash.example/schemas/threshold-matrix.schema.json';

/**
 * The JSON Schema of a matrix file (what may be written, defaults optional), committed as
 * `libs/thresholds/threshold-matrix.schema.json` for editors and agency reviewers.
 * Regenerate with `node -r @swc-node/register libs/thresholds/write-json-schema.ts`.
 */
export function thresholdMatrixJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(ThresholdMatrixSchema, {
    io: 'input',
    target: 'draft-2020-12',
    override: (ctx) => {
      // The key-format refinement is code, not schema; say it in JSON Schema too.
      if (ctx.zodSchema === ConcernsSchema) {
        ctx.jsonSchema.propertyNames = { pattern: CONCERN_CODE_PATTERN.source };
      }
    },
  });
  const { $schema, ...rest } = schema;
  return { $schema, $id: THRESHOLD_MATRIX_SCHEMA_ID, ...rest };
}
