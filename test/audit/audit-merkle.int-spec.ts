import { Pool } from 'pg';
import {
  AuditLog,
  Checkpointer,
  checkConsistencyProof,
  checkInclusionProof,
  generateCheckpointKeys,
  proveConsistency,
  proveInclusion,
  readStoredCheckpoints,
  signCheckpoint,
  verifyChain,
  verifyCheckpointSignature,
  type AuditEventInput,
} from '@mash/audit';
import { AuditQueryError } from '@mash/audit';
import { ensureDatabase, resetSchema, tamper, urlFor } from './audit-db';

jest.setTimeout(60_000);

const DB = 'mash_test_audit_merkle';
const url = urlFor(DB);
let pool: Pool;
const keys = generateCheckpointKeys('merkle-key');
const publicKeys = { [keys.kid]: keys.publicKey };

const event = (n: number): AuditEventInput => ({
  partnership: 'p-north',
  actorType: 'user',
  actorId: `analyst-${n % 3}`,
  actorRole: 'analyst',
  action: 'query.viewed',
  outcome: 'success',
  caseId: `case-${n}`,
  details: { n },
});

async function append(from: number, count: number): Promise<void> {
  const log = new AuditLog(pool);
  for (let n = from; n < from + count; n++) await log.append(event(n));
}

const checkpointer = (): Checkpointer => new Checkpointer(pool, { key: keys, file: null });

beforeAll(async () => {
  await ensureDatabase(DB);
  pool = new Pool({ connectionString: url, max: 4 });
});
afterAll(async () => {
  await pool.end();
});
beforeEach(async () => {
  await resetSchema(pool, url);
});

describe('Merkle proofs over the audit chain', () => {
  it('signs a root with each checkpoint and proves one event in it and each head consistent with the next', async () => {
    await append(0, 13);
    const first = await checkpointer().checkpoint('p-north');
    await append(13, 29);
    const second = await checkpointer().checkpoint('p-north');
    expect(first?.chainSeq).toBe(13);
    expect(second?.chainSeq).toBe(42);
    expect(first?.rootHash).toMatch(/^[0-9a-f]{64}$/);
    // The second root was resumed from the first checkpoint's stored frontier: it must equal the
    // root a proof computes from every entry.
    expect(verifyCheckpointSignature(second!, publicKeys)).toBe(true);

    const inclusion = await proveInclusion(pool, 'p-north', 7, 13);
    expect(checkInclusionProof(inclusion, first!.rootHash!)).toBe(true);
    expect(checkInclusionProof(inclusion, second!.rootHash!)).toBe(false);
    const later = await proveInclusion(pool, 'p-north', 7);
    expect(later.treeSize).toBe(42);
    expect(checkInclusionProof(later, second!.rootHash!)).toBe(true);
    // The proof is for that event: another event's hash does not verify with its path.
    const other = await proveInclusion(pool, 'p-north', 8, 13);
    expect(
      checkInclusionProof({ ...inclusion, entryHash: other.entryHash }, first!.rootHash!),
    ).toBe(false);

    const consistency = await proveConsistency(pool, 'p-north', 13, 42);
    expect(checkConsistencyProof(consistency, first!.rootHash!, second!.rootHash!)).toBe(true);

    const stored = await readStoredCheckpoints(pool, 'p-north');
    expect(stored.map((c) => c.rootHash)).toEqual([first!.rootHash, second!.rootHash]);
    expect(await verifyChain(pool, { checkpoints: stored, publicKeys })).toMatchObject({
      ok: true,
      checkpointsChecked: 2,
    });
  });

  it('shows a rewritten history: no proof from the database verifies against the old signed root', async () => {
    await append(0, 10);
    const signed = await checkpointer().checkpoint('p-north');
    await append(10, 4);
    // An attacker with the database rewrites entries 4 to 10 and gives them new hashes.
    await tamper(
      pool,
      `UPDATE audit_event SET hash = encode(sha256(convert_to(hash || 'forged', 'UTF8')), 'hex') WHERE chain_seq BETWEEN 4 AND 10`,
    );
    const untouched = await proveInclusion(pool, 'p-north', 2, 10);
    expect(checkInclusionProof(untouched, signed!.rootHash!)).toBe(false);
    const now = await proveConsistency(pool, 'p-north', 10, 14);
    expect(checkConsistencyProof(now, signed!.rootHash!, now.secondRoot)).toBe(false);
    // Without the rewrite the same questions verify (the control for the two refusals above).
    await resetSchema(pool, url);
    await append(0, 10);
    const honest = await checkpointer().checkpoint('p-north');
    await append(10, 4);
    expect(
      checkInclusionProof(await proveInclusion(pool, 'p-north', 2, 10), honest!.rootHash!),
    ).toBe(true);
    const ok = await proveConsistency(pool, 'p-north', 10, 14);
    expect(checkConsistencyProof(ok, honest!.rootHash!, ok.secondRoot)).toBe(true);
  });

  it('fails verification when a checkpoint signs a root the entries do not give', async () => {
    await append(0, 5);
    const honest = await checkpointer().checkpoint('p-north');
    const forged = signCheckpoint({ ...honest!, rootHash: 'b'.repeat(64) }, keys);
    const result = await verifyChain(pool, { checkpoints: [forged], publicKeys });
    expect(result).toMatchObject({
      ok: false,
      firstFailure: { reason: 'checkpoint-mismatch', chainSeq: 5 },
    });
  });

  it('refuses a proof outside the chain with a query error', async () => {
    await append(0, 3);
    await expect(proveInclusion(pool, 'p-north', 4)).rejects.toBeInstanceOf(AuditQueryError);
    await expect(proveConsistency(pool, 'p-north', 2, 9)).rejects.toBeInstanceOf(AuditQueryError);
    await expect(proveInclusion(pool, 'p-south', 1)).rejects.toBeInstanceOf(AuditQueryError);
  });
});
