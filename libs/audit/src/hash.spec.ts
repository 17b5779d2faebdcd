import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { canonicalJson } from '@mash/contracts';
import { canonicalForm, canonicalObject, entryHash, GENESIS_PREV_HASH } from './hash';
import type { AuditEntryBody } from './types';

const hex64 = fc.stringMatching(/^[0-9a-f]{64}$/);
const text = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 });
const body: fc.Arbitrary<AuditEntryBody> = fc.record({
  chainId: text,
  chainSeq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
  occurredAt: fc
    .date({ noInvalidDate: true, min: new Date('2000-01-01'), max: new Date('2100-01-01') })
    .map((d) => d.toISOString()),
  partnership: fc.option(text),
  actorType: fc.constantFrom('user', 'service', 'agency'),
  actorId: text,
  actorRole: fc.option(text),
  action: fc.constantFrom('query.dispatched', 'policy.decision'),
  outcome: fc.constantFrom('success', 'failure', 'permit', 'deny'),
  caseId: fc.option(text),
  queryId: fc.option(text),
  agency: fc.option(text),
  subjectPseudonyms: fc.array(hex64, { maxLength: 2 }),
  correlationId: fc.option(text),
  details: fc
    .dictionary(text, fc.jsonValue({ maxDepth: 2 }))
    .map((d) => JSON.parse(JSON.stringify(d)) as Record<string, unknown>),
  prevHash: hex64,
});

describe(entryHash.name, () => {
  it('is SHA-256 over the previous hash bytes then the RFC 8785 form of every hashed field', () => {
    fc.assert(
      fc.property(body, (b) => {
        const canonical = canonicalJson(canonicalObject(b));
        const expected = createHash('sha256')
          .update(Buffer.from(b.prevHash, 'hex'))
          .update(canonical, 'utf8')
          .digest('hex');
        expect(canonicalForm(b)).toBe(canonical);
        expect(entryHash(b)).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('changes when any hashed field changes', () => {
    const sut: AuditEntryBody = {
      chainId: 'p',
      chainSeq: 1,
      occurredAt: '2026-01-01T00:00:00.000Z',
      partnership: 'p',
      actorType: 'user',
      actorId: 'u',
      actorRole: null,
      action: 'query.dispatched',
      outcome: 'success',
      caseId: null,
      queryId: null,
      agency: null,
      subjectPseudonyms: [],
      correlationId: null,
      details: {},
      prevHash: GENESIS_PREV_HASH,
    };
    const variants: Array<Partial<AuditEntryBody>> = [
      { chainSeq: 2 },
      { occurredAt: '2026-01-01T00:00:00.001Z' },
      { partnership: null },
      { actorType: 'service' },
      { actorId: 'v' },
      { actorRole: '' },
      { outcome: 'deny' },
      { caseId: 'c' },
      { agency: 'police' },
      { subjectPseudonyms: ['a'.repeat(64)] },
      { details: { x: 1 } },
      { prevHash: 'f'.repeat(64) },
      { correlationId: 'x' },
    ];
    const hashes = new Set([entryHash(sut), ...variants.map((v) => entryHash({ ...sut, ...v }))]);
    expect(hashes.size).toBe(variants.length + 1);
  });
});
