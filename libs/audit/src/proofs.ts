import { AuditQueryError } from './errors';
import { queryRows, readerOf, type AuditDatabase, type SqlExecutor } from './executor';
import {
  MerkleFrontier,
  consistencyProof,
  inclusionPath,
  leafHash,
  merkleRoot,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const BATCH = 10_000;

/**
 * Streams the entry hashes at positions `after + 1 … upTo` of a chain into `sink`, in batches.
 * Positions are dense on a sequenced chain; a missing one is a gap and nothing is proved over it.
 */
async function eachEntryHash(
  reader: SqlExecutor,
  chainId: string,
  after: number,
  upTo: number,
  sink: (hash: string) => void,
): Promise<void> {
  for (let from = after; from < upTo; from += BATCH) {
    const to = Math.min(from + BATCH, upTo);
    const rows = await queryRows<{ hash: string }>(
      reader,
      `SELECT hash FROM audit_event WHERE chain_id = $1 AND chain_seq > $2 AND chain_seq <= $3 ORDER BY chain_seq`,
      [chainId, from, to],
    );
    if (rows.length !== to - from)
      throw new AuditQueryError('the chain has a gap in that range: verify it first');
    rows.forEach((r) => sink(r.hash));
  }
}

async function headOf(reader: SqlExecutor, chainId: string): Promise<number> {
  const [row] = await queryRows<{ max: string | null }>(
    reader,
    `SELECT max(chain_seq)::text AS max FROM audit_event WHERE chain_id = $1`,
    [chainId],
  );
  return row?.max == null ? 0 : Number(row.max);
}

/**
 * The Merkle root over a chain's first `size` entries, resumed from the frontier stored with the
 * latest checkpoint at or before `size`, so a checkpoint reads only the entries since the last one.
 */
export async function chainRoot(
  db: AuditDatabase | SqlExecutor,
  chainId: string,
  size: number,
): Promise<{ rootHash: string; frontier: MerkleFrontier }> {
  const reader = readerOf(db);
  const [stored] = await queryRows<{ frontier: { size: number; nodes: string[] } }>(
    reader,
    `SELECT frontier FROM audit_checkpoint
      WHERE chain_id = $1 AND chain_seq <= $2 AND frontier IS NOT NULL
      ORDER BY chain_seq DESC LIMIT 1`,
    [chainId, size],
  );
  let frontier = MerkleFrontier.empty();
  if (stored !== undefined) {
    try {
      frontier = MerkleFrontier.fromJSON(stored.frontier);
    } catch {
      frontier = MerkleFrontier.empty(); // a damaged cache: start again from the first entry
    }
  }
  await eachEntryHash(reader, chainId, frontier.size, size, (h) => frontier.push(leafHash(h)));
  return { rootHash: frontier.root().toString('hex'), frontier };
}

async function leaves(reader: SqlExecutor, chainId: string, size: number): Promise<Buffer[]> {
  const out: Buffer[] = [];
  await eachEntryHash(reader, chainId, 0, size, (h) => out.push(leafHash(h)));
  return out;
}

function treeSizeWithin(head: number, treeSize: number | undefined): number {
  const size = treeSize ?? head;
  if (!Number.isSafeInteger(size) || size < 1 || size > head)
    throw new AuditQueryError(`tree size must be between 1 and the chain's length (${head})`);
  return size;
}

/** An inclusion proof, hex-encoded: checkable with `checkInclusionProof` or any RFC 9162 verifier. */
export interface InclusionProof {
  readonly chainId: string;
  /** The entry's chain position; its leaf index is `chainSeq - 1`. */
  readonly chainSeq: number;
  readonly entryHash: string;
  readonly treeSize: number;
  readonly rootHash: string;
  readonly auditPath: string[];
}

export interface ConsistencyProof {
  readonly chainId: string;
  readonly firstSize: number;
  readonly firstRoot: string;
  readonly secondSize: number;
  readonly secondRoot: string;
  readonly proof: string[];
}

/**
 * Proves the entry at `chainSeq` is in the tree of the chain's first `treeSize` entries (default:
 * all of them). O(treeSize): every leaf is read and hashed.
 */
export async function proveInclusion(
  db: AuditDatabase | SqlExecutor,
  chainId: string,
  chainSeq: number,
  treeSize?: number,
): Promise<InclusionProof> {
  const reader = readerOf(db);
  const size = treeSizeWithin(await headOf(reader, chainId), treeSize);
  if (!Number.isSafeInteger(chainSeq) || chainSeq < 1 || chainSeq > size)
    throw new AuditQueryError(`the entry's position must be between 1 and the tree size (${size})`);
  const all = await leaves(reader, chainId, size);
  const [entry] = await queryRows<{ hash: string }>(
    reader,
    `SELECT hash FROM audit_event WHERE chain_id = $1 AND chain_seq = $2`,
    [chainId, chainSeq],
  );
  return {
    chainId,
    chainSeq,
    entryHash: entry.hash,
    treeSize: size,
    rootHash: merkleRoot(all).toString('hex'),
    auditPath: inclusionPath(chainSeq - 1, all).map((b) => b.toString('hex')),
  };
}

/** Proves the tree of the first `firstSize` entries is a prefix of the tree of `secondSize`. */
export async function proveConsistency(
  db: AuditDatabase | SqlExecutor,
  chainId: string,
  firstSize: number,
  secondSize?: number,
): Promise<ConsistencyProof> {
  const reader = readerOf(db);
  const second = treeSizeWithin(await headOf(reader, chainId), secondSize);
  if (!Number.isSafeInteger(firstSize) || firstSize < 1 || firstSize > second)
    throw new AuditQueryError(`the first tree size must be between 1 and ${second}`);
  const all = await leaves(reader, chainId, second);
  return {
    chainId,
    firstSize,
    firstRoot: merkleRoot(all.slice(0, firstSize)).toString('hex'),
    secondSize: second,
    secondRoot: merkleRoot(all).toString('hex'),
    proof: consistencyProof(firstSize, all).map((b) => b.toString('hex')),
  };
}

function bytes(hex: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError('not a hex SHA-256 hash');
  return Buffer.from(hex, 'hex');
}

/** Checks an inclusion proof against a root the caller trusts (a signed checkpoint's `rootHash`). */
export function checkInclusionProof(p: InclusionProof, trustedRoot: string): boolean {
  return wellFormed(
    () =>
      p.rootHash === trustedRoot &&
      verifyInclusion(
        p.chainSeq - 1,
        p.treeSize,
        leafHash(p.entryHash),
        p.auditPath.map(bytes),
        bytes(trustedRoot),
      ),
  );
}

/** Checks a consistency proof between two roots the caller trusts (two signed checkpoints). */
export function checkConsistencyProof(
  p: ConsistencyProof,
  trustedFirstRoot: string,
  trustedSecondRoot: string,
): boolean {
  return wellFormed(
    () =>
      p.firstRoot === trustedFirstRoot &&
      p.secondRoot === trustedSecondRoot &&
      verifyConsistency(
        p.firstSize,
        p.secondSize,
        bytes(trustedFirstRoot),
        bytes(trustedSecondRoot),
        p.proof.map(bytes),
      ),
  );
}

/** A proof from outside (a file, another tool) that is not even well formed simply does not verify. */
function wellFormed(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
