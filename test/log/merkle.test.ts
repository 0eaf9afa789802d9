import { createHash } from 'node:crypto';
import { CompactRange } from '../../src/log/merkle/compact-range';
import { NodeId } from '../../src/log/merkle/proof-plan';
import { NodeReader, consistencyProof, inclusionProof, rootAt } from '../../src/log/merkle/proof';
import { assertConsistent, assertIncluded, verifyConsistency, verifyInclusion } from '../../src/log/merkle/verify';
import { leafHash, nodeHash, rootFromLeaves } from '../../src/log/merkle/hash';
import { Art50Error } from '../../src/errors';

// ---- Independent reference: RFC 9162 §2.1.1, §2.1.3.1, §2.1.4.1 written literally (recursive). ----
const sha = (...parts: Buffer[]): Buffer => createHash('sha256').update(Buffer.concat(parts)).digest();
const refLeaf = (d: Buffer): Buffer => sha(Buffer.from([0]), d);
const k2 = (n: number): number => { let k = 1; while (k << 1 < n) k <<= 1; return k; };
const MTH = (D: Buffer[]): Buffer =>
  D.length === 0 ? sha() : D.length === 1 ? refLeaf(D[0]!) : sha(Buffer.from([1]), MTH(D.slice(0, k2(D.length))), MTH(D.slice(k2(D.length))));
const PATH = (m: number, D: Buffer[]): Buffer[] => {
  if (D.length === 1) return [];
  const k = k2(D.length);
  return m < k ? [...PATH(m, D.slice(0, k)), MTH(D.slice(k))] : [...PATH(m - k, D.slice(k)), MTH(D.slice(0, k))];
};
const SUBPROOF = (m: number, D: Buffer[], b: boolean): Buffer[] => {
  if (m === D.length) return b ? [] : [MTH(D)];
  const k = k2(D.length);
  return m <= k ? [...SUBPROOF(m, D.slice(0, k), b), MTH(D.slice(k))] : [...SUBPROOF(m - k, D.slice(k), false), MTH(D.slice(0, k))];
};
const PROOF = (m: number, D: Buffer[]): Buffer[] => (m === D.length ? [] : SUBPROOF(m, D, true));
// ----------------------------------------------------------------------------------------------------

const MAX = 70;
const data = Array.from({ length: MAX }, (_, i) => Buffer.from(`entry-${i}`));

/** Stores every complete perfect subtree, as the integrator does, and counts reads. */
class MemoryTree implements NodeReader {
  readonly nodes = new Map<string, Buffer>();
  reads = 0;
  calls = 0;
  constructor(leaves: Buffer[]) {
    const cr = new CompactRange();
    for (const l of leaves) cr.append(leafHash(l), (level, index, h) => this.nodes.set(`${level}:${index}`, h));
  }
  async perfectNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    this.calls++;
    this.reads += ids.length;
    return ids.map((id) => {
      const h = this.nodes.get(`${id.level}:${id.index}`);
      if (!h) throw new Error(`missing node ${id.level}:${id.index}`);
      return h;
    });
  }
}

describe('merkle hashing', () => {
  it('leaf and node hashes follow RFC 9162', () => {
    expect(leafHash(Buffer.from('a')).equals(refLeaf(Buffer.from('a')))).toBe(true);
    const a = Buffer.alloc(32, 1);
    const b = Buffer.alloc(32, 2);
    expect(nodeHash(a, b).equals(sha(Buffer.from([1]), a, b))).toBe(true);
    // Well-known empty tree hash.
    expect(rootFromLeaves([]).toString('hex')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('rootFromLeaves, CompactRange and rootAt agree with MTH for sizes 0..70', async () => {
    const tree = new MemoryTree(data);
    for (let n = 0; n <= MAX; n++) {
      const D = data.slice(0, n);
      const expected = MTH(D);
      expect(rootFromLeaves(D.map(leafHash)).equals(expected)).toBe(true);
      const cr = new CompactRange();
      D.forEach((d) => cr.append(leafHash(d)));
      expect(cr.root().equals(expected)).toBe(true);
      expect((await rootAt(tree, n)).equals(expected)).toBe(true);
    }
  });

  it('inclusion proofs equal PATH(m, D[n]) and verify, for every n ≤ 70 and m < n', async () => {
    const tree = new MemoryTree(data);
    for (let n = 1; n <= MAX; n++) {
      const D = data.slice(0, n);
      const root = MTH(D);
      for (let m = 0; m < n; m++) {
        const proof = await inclusionProof(tree, m, n);
        const ref = PATH(m, D);
        expect(proof.map((b) => b.toString('hex'))).toEqual(ref.map((b) => b.toString('hex')));
        expect(verifyInclusion(m, n, refLeaf(D[m]!), proof, root)).toBe(true);
        // Negative cases: wrong leaf, wrong index, truncated / extended proof.
        expect(verifyInclusion(m, n, refLeaf(Buffer.from('x')), proof, root)).toBe(false);
        if (n > 1) expect(verifyInclusion((m + 1) % n, n, refLeaf(D[m]!), proof, root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(m, n, refLeaf(D[m]!), proof.slice(1), root)).toBe(false);
        expect(verifyInclusion(m, n, refLeaf(D[m]!), [...proof, root], root)).toBe(false);
      }
    }
  });

  it('consistency proofs equal PROOF(m, D[n]) and verify, for every 1 ≤ m ≤ n ≤ 70', async () => {
    const tree = new MemoryTree(data);
    for (let n = 1; n <= MAX; n++) {
      const D = data.slice(0, n);
      const root2 = MTH(D);
      for (let m = 1; m <= n; m++) {
        const root1 = MTH(data.slice(0, m));
        const proof = await consistencyProof(tree, m, n);
        expect(proof.map((b) => b.toString('hex'))).toEqual(PROOF(m, D).map((b) => b.toString('hex')));
        expect(verifyConsistency(m, n, root1, root2, proof)).toBe(true);
        // A root from another history must fail.
        const other = MTH([...data.slice(0, m - 1), Buffer.from('forged')]);
        expect(verifyConsistency(m, n, other, root2, proof)).toBe(false);
        if (m < n) {
          expect(verifyConsistency(m, n, root1, MTH(data.slice(0, n - 1).concat(Buffer.from('y'))), proof)).toBe(false);
          expect(verifyConsistency(m, n, root1, root2, proof.slice(0, -1))).toBe(false);
        }
      }
    }
  });

  it('assertConsistent throws log.inconsistent carrying the evidence', () => {
    const r1 = MTH(data.slice(0, 3));
    const r2 = MTH(data.slice(0, 7));
    let err: unknown;
    try {
      assertConsistent(3, 7, r1, r2, []);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Art50Error);
    const e = err as Art50Error;
    expect(e.code).toBe('log.inconsistent');
    expect(e.extra).toMatchObject({ first: 3, second: 7, firstRoot: r1.toString('hex'), secondRoot: r2.toString('hex') });
  });

  it('out-of-range proof requests are log.bad_range', async () => {
    const tree = new MemoryTree(data.slice(0, 4));
    await expect(inclusionProof(tree, 4, 4)).rejects.toMatchObject({ code: 'log.bad_range' });
    await expect(consistencyProof(tree, 5, 4)).rejects.toMatchObject({ code: 'log.bad_range' });
  });

  it('a proof at size 2^20+3 reads O(log n) nodes in one batch', async () => {
    // Synthetic reader: any node hash is derived from its id; we only count what is asked.
    let calls = 0;
    let reads = 0;
    const synthetic: NodeReader = {
      async perfectNodes(ids) {
        calls++;
        reads += ids.length;
        return ids.map((id) => sha(Buffer.from(`${id.level}:${id.index}`)));
      },
    };
    const n = 2 ** 20 + 3;
    const log2n = Math.ceil(Math.log2(n));
    for (const m of [0, 1, 12345, 2 ** 20 - 1, 2 ** 20, n - 1]) {
      calls = reads = 0;
      const proof = await inclusionProof(synthetic, m, n);
      expect(calls).toBe(1);
      expect(reads).toBeLessThanOrEqual(2 * log2n);
      expect(proof.length).toBeLessThanOrEqual(log2n);
    }
    for (const m of [1, 3, 1000, 2 ** 19 + 7, n - 1]) {
      calls = reads = 0;
      await consistencyProof(synthetic, m, n);
      expect(calls).toBe(1);
      expect(reads).toBeLessThanOrEqual(2 * log2n);
    }
    calls = reads = 0;
    await rootAt(synthetic, n);
    expect(reads).toBe(3); // 2^20 + 2^1 + 2^0
  });
});

describe('assertIncluded', () => {
  it('holds for a real proof and refuses, as log.inconsistent, a "hash" that is not 32 bytes even where leaf equals root', () => {
    const leaves = Array.from({ length: 5 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
    const root = rootFromLeaves(leaves);
    const proof = [leaves[3]!, nodeHash(leaves[0]!, leaves[1]!), leaves[4]!];
    expect(() => assertIncluded(2, 5, leaves[2]!, proof, root)).not.toThrow();
    const short = Buffer.alloc(31, 7);
    expect(() => assertIncluded(0, 1, short, [], short)).toThrow(expect.objectContaining({ code: 'log.inconsistent' }));
    expect(() => assertIncluded(2, 5, leaves[2]!, [...proof.slice(0, 2), Buffer.concat([leaves[4]!, Buffer.from([0])])], root)).toThrow(expect.objectContaining({ code: 'log.inconsistent' }));
  });
});
