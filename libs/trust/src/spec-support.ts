/** What the trust library's specs share: a grant's claims, a refusal's code, keys in a temp dir. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TrustError } from './errors';
import { criteriaHash, sealCriteria, type GrantClaims } from './grant';
import { FileKeyRingStore, ServiceKeys } from './keys';

/** A grant's claims for `agency` (police's agreement, a subject with a date of birth). */
export const grantClaims = (agency = 'police'): GrantClaims => ({
  queryId: '0f8c3a52-1b7e-4c1a-9a55-2a2f5d3f9b10',
  caseRef: 'c6c1f0c4-7a43-4a8e-8a8e-5f7a1b9d2c11',
  partnership: 'demo',
  agency,
  purpose: 'mash-triage',
  legalGateways: ['children-act-1989-s47'],
  agreement: { id: 'police-demo', version: 1, hash: 'h' },
  categories: [{ name: 'occurrences', fields: [{ name: 'occurredOn', action: 'include' }] }],
  requestedBy: { sub: 'analyst-1', role: 'analyst', partnership: 'demo' },
  criteriaHash: criteriaHash(
    sealCriteria({ givenName: 'A', familyName: 'B', dateOfBirth: '2015-01-01' }),
  ),
});

/** The TrustError code `promise` is refused with, or 'accepted'; any other error is thrown. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof TrustError) return error.code;
    throw error;
  }
  return 'accepted';
}

/**
 * Each of `services`' keys, made before the suite's tests in a temporary directory removed after
 * them: `keys.<service>` is filled in by the time a test runs.
 */
export function suiteKeys(...services: string[]): Record<string, ServiceKeys> {
  const keys: Record<string, ServiceKeys> = {};
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mash-trust-'));
    const store = new FileKeyRingStore(dir);
    for (const service of services)
      keys[service] = await ServiceKeys.fromRing(await store.loadOrCreate(service));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return keys;
}
