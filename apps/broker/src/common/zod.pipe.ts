import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { brokerError } from './errors';

type Issue = z.core.$ZodIssue;

const FORMATS: Record<string, string> = {
  datetime: 'an ISO 8601 date and time with a zone, e.g. 2026-06-01T09:00:00Z',
  date: 'a date, YYYY-MM-DD',
  uuid: 'a UUID',
  email: 'an email address',
};

function unit(origin: string | undefined, n: number | bigint): string {
  if (origin === 'string') return `${n} character${n === 1 ? '' : 's'}`;
  if (origin === 'array' || origin === 'set') return `${n} item${n === 1 ? '' : 's'}`;
  return String(n);
}

/**
 * What was wrong and what is allowed, in words, from the rule alone: never the rejected value,
 * which may be personal data. Custom messages in our schemas are written the same way.
 */
export function describeIssue(issue: Issue): string {
  switch (issue.code) {
    case 'too_small':
      return `is too ${issue.origin === 'string' ? 'short' : issue.origin === 'array' ? 'short a list' : 'small'}: must be ${issue.inclusive === false ? 'more than' : 'at least'} ${unit(issue.origin, issue.minimum)}`;
    case 'too_big':
      return `is too ${issue.origin === 'string' ? 'long' : issue.origin === 'array' ? 'long a list' : 'large'}: must be ${issue.inclusive === false ? 'less than' : 'at most'} ${unit(issue.origin, issue.maximum)}`;
    case 'invalid_value':
      return `must be one of: ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      if (issue.format === 'regex' || !(issue.format in FORMATS)) return issue.message;
      return `must be ${FORMATS[issue.format]}`;
    case 'unrecognized_keys':
      return `has fields that are not allowed: ${issue.keys.join(', ')}`;
    case 'invalid_type':
      return issue.message.includes('received undefined')
        ? `is required (${issue.expected})`
        : `must be ${issue.expected}`;
    case 'invalid_union': {
      // The union's alternatives, as each would have explained itself.
      const options = issue.errors.map((branch) => branch.map(describeIssue).join(' and '));
      return `must match one of: ${[...new Set(options)].join('; or ')}`;
    }
    default:
      return issue.message;
  }
}

/**
 * Validates a body, query or route parameter with a zod schema. The error names each field, what
 * was wrong and what is allowed (never the rejected value). `name` names a route parameter.
 */
@Injectable()
export class ZodPipe<T> implements PipeTransform<unknown, T> {
  constructor(
    private readonly schema: z.ZodType<T>,
    private readonly name?: string,
  ) {}

  transform(value: unknown): T {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const issues = result.error.issues.map((i) => ({
      path: [this.name, ...i.path.map(String)].filter((p) => p !== undefined).join('.'),
      code: i.code,
      message: describeIssue(i),
    }));
    throw brokerError(
      'REQUEST.INVALID',
      `request failed validation: ${issues.map((i) => `${i.path || '(request)'} ${i.message}`).join('; ')}`,
      { issues },
    );
  }
}
