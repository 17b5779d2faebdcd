import { hash } from 'node:crypto';

/**
 * RFC 9162 (Certificate Transparency v2) Merkle tree over a chain's entries, so an auditor can be
 * given an inclusion proof for one event and a consistency proof between two signed heads, which a
 * hash chain alone cannot give without handing over every entry in between.
 *
 * The leaves are the entries' `hash` values in chain order (leaf i = entry at `chain_seq` i + 1):
 * each already commits to the entry's canonical form and its predecessor, so whoever holds an
 * exported event can recompute its leaf. Hashes are raw 32-byte SHA-256 digests here and hex on
 * the wire.
 *
 *   leaf  = SHA-256(0x00 || entry hash bytes)
 *   node  = SHA-256(0x01 || left || right)
 *   MTH(D[n]) splits at k, the largest power of two smaller than n (RFC 9162 §2.1.1).
 */

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);

const sha256 = (...parts: Buffer[]): Buffer => hash('sha256', Buffer.concat(parts), 'buffer');

export const EMPTY_ROOT: Buffer = sha256();

export function leafHash(entryHashHex: string): Buffer {
  const bytes = Buffer.from(entryHashHex, 'hex');
  if (bytes.length !== 32) throw new TypeError('entry hash must be 64 hex characters');
  return sha256(LEAF, bytes);
}

export function nodeHash(left: Buffer, right: Buffer): Buffer {
  return sha256(NODE, left, right);
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH over already-hashed leaves. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** PATH(m, D[n]): the audit path for leaf index m (0-based), leaf-side first (RFC 9162 §2.1.3.1). */
export function inclusionPath(index: number, leaves: readonly Buffer[]): Buffer[] {
  if (!Number.isSafeInteger(index) || index < 0 || index >= leaves.length)
    throw new RangeError('leaf index outside the tree');
  if (leaves.length === 1) return [];
  const k = split(leaves.length);
  return index < k
    ? [...inclusionPath(index, leaves.slice(0, k)), merkleRoot(leaves.slice(k))]
    : [...inclusionPath(index - k, leaves.slice(k)), merkleRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]): that the tree of the first m leaves is a prefix of this one (RFC 9162 §2.1.4.1). */
export function consistencyProof(first: number, leaves: readonly Buffer[]): Buffer[] {
  if (!Number.isSafeInteger(first) || first < 0 || first > leaves.length)
    throw new RangeError('first tree size outside the tree');
  if (first === 0 || first === leaves.length) return [];
  return subproof(first, leaves, true);
}

function subproof(m: number, leaves: readonly Buffer[], complete: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return complete ? [] : [merkleRoot(leaves)];
  const k = split(n);
  return m <= k
    ? [...subproof(m, leaves.slice(0, k), complete), merkleRoot(leaves.slice(k))]
    : [...subproof(m - k, leaves.slice(k), false), merkleRoot(leaves.slice(0, k))];
}

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leaf: Buffer,
  path: readonly Buffer[],
  root: Buffer,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize)) return false;
  if (index < 0 || index >= treeSize) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r.equals(root);
}

/** RFC 9162 §2.1.4.2, with its two trivial cases (equal sizes, an empty first tree). */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Buffer,
  secondRoot: Buffer,
  proof: readonly Buffer[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second)) return false;
  if (first < 0 || first > second) return false;
  if (first === second) return proof.length === 0 && firstRoot.equals(secondRoot);
  if (first === 0) return proof.length === 0 && firstRoot.equals(EMPTY_ROOT);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return fr.equals(firstRoot) && sr.equals(secondRoot) && sn === 0;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

/**
 * The roots of the perfect subtrees that make up a tree of `size` leaves, largest first: enough to
 * append more leaves and compute the new root in O(log n) memory, so a checkpoint need only read
 * the entries since the previous one. Stored beside a checkpoint; never trusted for verification
 * (a wrong frontier gives a root that no proof from the entries themselves will verify against).
 */
export class MerkleFrontier {
  private constructor(
    private size_: number,
    private readonly nodes: { size: number; hash: Buffer }[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  static fromJSON(value: { size: number; nodes: string[] }): MerkleFrontier {
    const sizes: number[] = [];
    for (let bit = 2 ** 52; bit >= 1; bit /= 2)
      if (Math.floor(value.size / bit) % 2 === 1) sizes.push(bit);
    if (sizes.length !== value.nodes.length)
      throw new TypeError('frontier does not match its size');
    return new MerkleFrontier(
      value.size,
      value.nodes.map((hex, i) => ({ size: sizes[i], hash: Buffer.from(hex, 'hex') })),
    );
  }

  get size(): number {
    return this.size_;
  }

  push(leaf: Buffer): void {
    let node = { size: 1, hash: leaf };
    // Merge equal-sized perfect subtrees, as a binary counter carries.
    while (this.nodes.length > 0 && this.nodes[this.nodes.length - 1].size === node.size) {
      const left = this.nodes.pop()!;
      node = { size: left.size * 2, hash: nodeHash(left.hash, node.hash) };
    }
    this.nodes.push(node);
    this.size_ += 1;
  }

  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let r = this.nodes[this.nodes.length - 1].hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) r = nodeHash(this.nodes[i].hash, r);
    return r;
  }

  toJSON(): { size: number; nodes: string[] } {
    return { size: this.size_, nodes: this.nodes.map((n) => n.hash.toString('hex')) };
  }
}
