import { randomUUID } from 'node:crypto';
import { QueryRequestedV1 } from './messages';
import { DEAD_LETTER_MAX_VALUE_BYTES, deadLetterRecord, parseMessage } from './wire';

describe(parseMessage.name, () => {
  const valid = {
    type: 'query.requested',
    version: 1,
    messageId: randomUUID(),
    queryId: randomUUID(),
    agency: 'police',
    partnership: 'demo',
    grant: 'eyJhbGciOiJFZERTQSJ9.eyJ4IjoxfQ.c2lnbmF0dXJl',
    criteria: 'eyJhbGciOiJFQ0RILUVTIn0..aXY.Y2lwaGVy.dGFn',
    deadline: new Date().toISOString(),
    issuedAt: new Date().toISOString(),
  };

  it('accepts a valid message', () => {
    expect(parseMessage(QueryRequestedV1, Buffer.from(JSON.stringify(valid)))).toEqual({
      ok: true,
      value: valid,
    });
  });

  it('refuses bytes that are not JSON without throwing', () => {
    expect(parseMessage(QueryRequestedV1, Buffer.from('{not json'))).toEqual({
      ok: false,
      reason: 'not JSON',
    });
  });

  it('names the failing fields but never echoes their values', () => {
    const secret = 'Jane Doe 2014-05-06';
    const result = parseMessage(
      QueryRequestedV1,
      JSON.stringify({ ...valid, agency: secret, extra: secret }),
    );
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain('agency');
      expect(result.reason).not.toContain(secret);
    }
  });

  it('refuses an empty message', () => {
    expect(parseMessage(QueryRequestedV1, null)).toEqual({ ok: false, reason: 'empty message' });
  });
});

describe(deadLetterRecord.name, () => {
  it('keeps headers and names the reason, and cuts a value too big to re-publish', () => {
    const big = Buffer.alloc(DEAD_LETTER_MAX_VALUE_BYTES + 10, 'x');
    const sut = deadLetterRecord(
      { topic: 'mash.audit.v1', value: big, headers: { 'correlation-id': 'q-1', none: undefined } },
      'schema: partnership: too_small',
      () => 'fresh',
    );
    expect(sut).toMatchObject({ topic: 'mash.audit.v1.dlq', key: 'q-1' });
    expect(sut.headers).toEqual({
      'correlation-id': 'q-1',
      'dlq-reason': 'schema: partnership: too_small',
      'dlq-source-topic': 'mash.audit.v1',
      'dlq-truncated': 'true',
    });
    expect(sut.value).toHaveLength(DEAD_LETTER_MAX_VALUE_BYTES);
    expect(
      deadLetterRecord({ topic: 't', value: null, headers: {} }, 'empty', () => 'k'),
    ).toMatchObject({
      key: 'k',
      value: '',
    });
  });
});
