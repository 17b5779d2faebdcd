import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from '@mash/common';

/** Validates a body or query with a zod schema; the error names fields and rules, never values. */
@Injectable()
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(private readonly schema: z.ZodType<T>) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    // Paths and rule codes only: zod messages can quote the rejected value.
    const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code }));
    throw new DomainError('REQUEST.INVALID', 'request failed validation', 400, { issues });
  }
}
