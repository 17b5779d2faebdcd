import { Headers, Topics } from './topics';
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

/** The most of a dead-lettered message's value kept: the copy plus headers must fit Kafka's 1 MB. */
export const DEAD_LETTER_MAX_VALUE_BYTES = 256 * 1024;

/**
 * The one way to build a dead-letter record: the original headers, the reason and source topic,
 * keyed by the correlation id. A value too big to re-publish is cut (header `dlq-truncated`),
 * since a dead-letter write that fails would make the consumer throw and Kafka redeliver forever.
 */
export function deadLetterRecord(
  message: {
    topic: string;
    value: Buffer | string | null;
    headers: Record<string, string | undefined>;
  },
  reason: string,
  newKey: () => string,
): { topic: string; key: string; value: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(message.headers)) if (v !== undefined) headers[k] = v;
  headers[Headers.dlqReason] = reason.slice(0, 500);
  headers[Headers.dlqSourceTopic] = message.topic;
  const bytes =
    message.value === null
      ? Buffer.alloc(0)
      : Buffer.isBuffer(message.value)
        ? message.value
        : Buffer.from(message.value, 'utf8');
  if (bytes.length > DEAD_LETTER_MAX_VALUE_BYTES) headers[Headers.dlqTruncated] = 'true';
  return {
    topic: Topics.deadLetter(message.topic),
    key: (headers[Headers.correlationId] ?? newKey()).slice(0, 200),
    value: bytes.subarray(0, DEAD_LETTER_MAX_VALUE_BYTES).toString('utf8'),
    headers,
  };
}

/** A record as producers send it: the value is the message's JSON. */
export interface WireRecord {
  topic: string;
  key: string;
  value: string;
  headers: Record<string, string>;
}

/**
 * A message as a Kafka record with the standard headers (message id, type, schema version, and
 * the correlation id when the message belongs to a conversation), so every producer, broker and
 * adapter alike, stamps them the same way. `messageId` is for message types that carry none.
 */
export function kafkaRecord(
  topic: string,
  key: string,
  message: { type: string; version: number; messageId?: string },
  options: { correlationId?: string; messageId?: string } = {},
): WireRecord {
  const messageId = message.messageId ?? options.messageId;
  if (!messageId) throw new Error(`a ${message.type} record needs a message id`);
  return {
    topic,
    key,
    value: JSON.stringify(message),
    headers: {
      ...(options.correlationId === undefined
        ? {}
        : { [Headers.correlationId]: options.correlationId }),
      [Headers.messageId]: messageId,
      [Headers.messageType]: message.type,
      [Headers.schemaVersion]: String(message.version),
    },
  };
}
