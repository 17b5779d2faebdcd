import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  EMPTY_ROOT,
  MerkleFrontier,
  consistencyProof,
  inclusionPath,
  leafHash,
  merkleRoot,
  nodeHash,
  verifyConsistency,
  verifyInclusion,
} from './merkle';

const rawLeaf = (hex: string): Buffer =>
  createHash('sha256')
    .update(Buffer.concat([Buffer.from([0]), Buffer.from(hex, 'hex')]))
    .digest();

// The RFC 6962 reference leaves and roots used by Certificate Transparency implementations.
const VECTOR_LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(rawLeaf);
const VECTOR_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

const entryHashes = (n: number): string[] =>
  Array.from({ length: n }, () => randomBytes(32).toString('hex'));
const leavesOf = (n: number): Buffer[] => entryHashes(n).map(leafHash);

describe('RFC 9162 Merkle tree', () => {
  it('gives the reference roots for the RFC 6962 test leaves', () => {
    expect(merkleRoot([]).toString('hex')).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    VECTOR_ROOTS.forEach((root, i) =>
      expect(merkleRoot(VECTOR_LEAVES.slice(0, i + 1)).toString('hex')).toBe(root),
    );
  });

  it('gives the reference audit path for leaf 0 of 8', () => {
    // PATH(0, D[8]) = [leaf 1, MTH(D[2:4]), MTH(D[4:8])]
    expect(inclusionPath(0, VECTOR_LEAVES)).toEqual([
      VECTOR_LEAVES[1],
      merkleRoot(VECTOR_LEAVES.slice(2, 4)),
      merkleRoot(VECTOR_LEAVES.slice(4, 8)),
    ]);
  });

  it('proves every leaf of every tree up to 40 leaves, and nothing else', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = leavesOf(n);
      const root = merkleRoot(leaves);
      for (let i = 0; i < n; i++) {
        const path = inclusionPath(i, leaves);
        expect(verifyInclusion(i, n, leaves[i], path, root)).toBe(true);
        expect(verifyInclusion(i, n, leaves[(i + 1) % n], path, root)).toBe(n === 1);
        if (path.length > 0) {
          const bent = [...path];
          bent[0] = nodeHash(bent[0], bent[0]);
          expect(verifyInclusion(i, n, leaves[i], bent, root)).toBe(false);
        }
      }
      // A size is only ever trusted together with its root (a signed head), so only the index is checked.
      expect(verifyInclusion(n, n, leaves[0], [], root)).toBe(false);
    }
  });

  it('proves every prefix of every tree up to 40 leaves consistent, and refuses a forged history', () => {
    for (let n = 1; n <= 40; n++) {
      const leaves = leavesOf(n);
      const root = merkleRoot(leaves);
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(m, leaves);
        const firstRoot = merkleRoot(leaves.slice(0, m));
        expect(verifyConsistency(m, n, firstRoot, root, proof)).toBe(true);
        if (m > 0 && m < n) {
          // The same first size, but one of its entries rewritten.
          const forged = [...leaves];
          forged[m - 1] = leafHash(randomBytes(32).toString('hex'));
          expect(verifyConsistency(m, n, merkleRoot(forged.slice(0, m)), root, proof)).toBe(false);
          expect(verifyConsistency(m, n, firstRoot, merkleRoot(forged), proof)).toBe(false);
        }
      }
    }
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
  });

  it('keeps a frontier whose root is the tree root after any number of appends, through JSON', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
        const leaves = leavesOf(a + b);
        const first = MerkleFrontier.empty();
        leaves.slice(0, a).forEach((l) => first.push(l));
        expect(first.root().equals(merkleRoot(leaves.slice(0, a)))).toBe(true);
        const resumed = MerkleFrontier.fromJSON(
          JSON.parse(JSON.stringify(first)) as { size: number; nodes: string[] },
        );
        leaves.slice(a).forEach((l) => resumed.push(l));
        expect(resumed.size).toBe(a + b);
        expect(resumed.root().equals(merkleRoot(leaves))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses a frontier whose nodes do not match its size', () => {
    expect(() => MerkleFrontier.fromJSON({ size: 3, nodes: ['00'.repeat(32)] })).toThrow(TypeError);
  });
});
