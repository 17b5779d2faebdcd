import { ApiBody } from '@nestjs/swagger';
import { z } from 'zod';

/** Documents a body with the JSON Schema of the zod schema that validates it: one source of truth. */
export function ApiZodBody(schema: z.ZodType): MethodDecorator {
  return ApiBody({
    schema: z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<
      string,
      unknown
    >,
  });
}
