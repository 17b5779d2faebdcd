import { z } from 'zod';

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses raw Kafka bytes against a schema without throwing; the reason names fields, never values. */
export function parseMessage<T>(
  schema: z.ZodType<T>,
  raw: Buffer | string | null | undefined,
): ParseResult<T> {
  if (raw === null || raw === undefined) return { ok: false, reason: 'empty message' };
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === 'string' ? raw : raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const reason = result.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`)
    .join('; ');
  return { ok: false, reason: `schema: ${reason}` };
}
