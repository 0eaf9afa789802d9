/**
 * Proof verification (RFC 9162 §2.1.3.2 and §2.1.4.2), pure and synchronous: what an auditor or
 * a client runs against a checkpoint, with no access to the store.
 */
import { Art50Error } from '../../errors';
import { HASH_SIZE, nodeHash } from './hash';

/**
 * The walk up the tree both RFC 9162 verifications share (§2.1.3.2 and §2.1.4.2): `fn` and `sn`
 * are the node indices of the first and last leaf; each proof node is a left sibling (`left`) when
 * `fn` is odd or the last node of its level, else a right sibling (`right`). True when the proof
 * was exactly long enough to reach the root.
 */
function walkUp(fn0: number, sn0: number, nodes: readonly Uint8Array[], left: (c: Uint8Array) => void, right: (c: Uint8Array) => void): boolean {
  let fn = fn0;
  let sn = sn0;
  for (const c of nodes) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      left(c);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      right(c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0;
}

/** Root implied by an inclusion proof, or null if the proof has the wrong shape. */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let r: Buffer = Buffer.from(leaf);
  const reached = walkUp(index, size - 1, proof, (c) => (r = nodeHash(c, r)), (c) => (r = nodeHash(r, c)));
  return reached ? r : null;
}

const allHashes = (hs: readonly Uint8Array[]): boolean => hs.every((h) => h.length === HASH_SIZE);

/**
 * RFC 9162 §2.1.3.2. Every hash — leaf, proof nodes, root — must be a SHA-256 value (32 bytes):
 * a proof with a short or long "hash" is refused, not hashed along (transparency-dev's vectors).
 */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!allHashes([leaf, root, ...proof])) return false;
  const r = rootFromInclusionProof(index, size, leaf, proof);
  return r !== null && r.equals(root);
}

/** Throws log.inconsistent with the evidence unless the proof shows `leaf` at `index` under `root`. */
export function assertIncluded(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  const computed = allHashes([leaf, root, ...proof]) ? rootFromInclusionProof(index, size, leaf, proof) : null;
  if (computed !== null && computed.equals(root)) return;
  throw new Art50Error('log.inconsistent', `leaf ${index} is not included in the tree of size ${size}`, {
    extra: {
      index,
      treeSize: size,
      leafHash: hex(leaf),
      proof: proof.map(hex),
      expectedRoot: hex(root),
      computedRoot: computed === null ? null : hex(computed),
    },
  });
}

/** The two roots implied by a consistency proof, or null if it has the wrong shape. */
export function rootsFromConsistencyProof(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  proof: readonly Uint8Array[],
): { first: Buffer; second: Buffer } | null {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) return null;
  if (first === second || first === 0) return proof.length === 0 ? { first: Buffer.from(firstRoot), second: Buffer.from(firstRoot) } : null;
  if (proof.length === 0) return null;
  const path: Uint8Array[] = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  const reached = walkUp(fn, sn, path.slice(1), (c) => {
    fr = nodeHash(c, fr);
    sr = nodeHash(c, sr);
  }, (c) => (sr = nodeHash(sr, c)));
  return reached ? { first: fr, second: sr } : null;
}

/**
 * RFC 9162 §2.1.4.2. A consistency check from an empty tree proves nothing (every tree extends it)
 * and is refused, as transparency-dev's verifier does; equal sizes need an empty proof and equal
 * roots; otherwise every hash must be a SHA-256 value.
 */
export function verifyConsistency(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first <= 0 || first > second) return false;
  if (first === second) return proof.length === 0 && Buffer.from(firstRoot).equals(secondRoot);
  if (!allHashes([firstRoot, secondRoot, ...proof])) return false;
  const r = rootsFromConsistencyProof(first, second, firstRoot, proof);
  return r !== null && r.first.equals(firstRoot) && r.second.equals(secondRoot);
}

/** Throws log.inconsistent with both checkpoints and the proof unless they are consistent. */
export function assertConsistent(first: number, second: number, firstRoot: Uint8Array, secondRoot: Uint8Array, proof: readonly Uint8Array[]): void {
  if (verifyConsistency(first, second, firstRoot, secondRoot, proof)) return;
  const r = first <= 0 ? null : rootsFromConsistencyProof(first, second, firstRoot, proof);
  throw new Art50Error('log.inconsistent', `tree of size ${second} is not an extension of the tree of size ${first}`, {
    extra: {
      first,
      second,
      firstRoot: hex(firstRoot),
      secondRoot: hex(secondRoot),
      proof: proof.map(hex),
      computedFirstRoot: r === null ? null : hex(r.first),
      computedSecondRoot: r === null ? null : hex(r.second),
    },
  });
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && 2 ** Math.floor(Math.log2(n)) === n;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}
