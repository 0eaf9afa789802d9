/**
 * RFC 9162 Merkle tree hashing and proofs (§2.1), written against stored PERFECT subtrees.
 *
 * Node naming: (level, index) is the perfect subtree of 2^level leaves starting at leaf
 * index·2^level. The store keeps every complete perfect subtree (level 0 = leaf hashes).
 *
 * Every hash a proof at tree size n needs is the MTH of a range [a, b) produced by the RFC's
 * recursive split, and such a range is either perfect (stored) or ends at n (the right edge); a
 * right-edge range is the fold of the ≤ log2(n) perfect subtrees of its binary decomposition. So a
 * proof is planned first (pure), its perfect nodes are fetched in ONE batch, then composed.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';
import { Art50Error } from '../errors';

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** One-shot crypto.hash (Node ≥ 20.12) is cheaper than createHash for small inputs. */
type OneShot = (alg: string, data: Uint8Array, enc: 'buffer') => Buffer;
const oneShot: OneShot | undefined = (nodeCrypto as unknown as { hash?: OneShot }).hash;

/** SHA-256(0x00 ‖ entry bytes). */
export function leafHash(entry: Uint8Array): Buffer {
  if (oneShot) {
    const buf = Buffer.allocUnsafe(entry.length + 1);
    buf[0] = 0x00;
    buf.set(entry, 1);
    return oneShot('sha256', buf, 'buffer');
  }
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (oneShot && left.length === HASH_SIZE && right.length === HASH_SIZE) {
    const buf = Buffer.allocUnsafe(1 + 2 * HASH_SIZE);
    buf[0] = 0x01;
    buf.set(left, 1);
    buf.set(right, 1 + HASH_SIZE);
    return oneShot('sha256', buf, 'buffer');
  }
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** MTH of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/** Reference MTH over leaf hashes (O(n) memory); for tests and offline tools. */
export function rootFromLeaves(leafHashes: readonly Buffer[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot();
  let level: Buffer[] = leafHashes.slice();
  // Pairwise reduction yields the RFC tree: an odd last node is promoted unchanged, which is the
  // same as the RFC's "largest power of two smaller than n" split.
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

export interface NodeId {
  level: number;
  index: number;
}

/** The one storage dependency of proofs: fetch perfect nodes, in the order asked, in one batch. */
export interface NodeReader {
  perfectNodes(ids: readonly NodeId[]): Promise<Buffer[]>;
}

/** Field name of a node in `{NS}:log:tree`. */
export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** A leaf range [start, end) whose MTH a proof needs. */
export interface Range {
  start: number;
  end: number;
}

/**
 * Perfect subtrees whose fold is MTH([start, end)). `start` must be aligned to the largest power of
 * two in (end − start), which holds for every range of the RFC recursion and for [0, n).
 */
export function decompose(range: Range): NodeId[] {
  const ids: NodeId[] = [];
  let cursor = range.start;
  let rest = range.end - range.start;
  for (let level = Math.floor(Math.log2(Math.max(rest, 1))) + 1; level >= 0 && rest > 0; level--) {
    const width = 2 ** level;
    if (rest >= width) {
      if (cursor % width !== 0) throw new RangeError(`range [${range.start}, ${range.end}) is not aligned`);
      ids.push({ level, index: cursor / width });
      cursor += width;
      rest -= width;
    }
  }
  return ids;
}

/** Folds perfect subtree hashes (left to right, decreasing size) into the MTH of their union. */
export function foldFringe(hashes: readonly Buffer[]): Buffer {
  if (hashes.length === 0) return emptyRoot();
  let acc = hashes[hashes.length - 1]!;
  for (let i = hashes.length - 2; i >= 0; i--) acc = nodeHash(hashes[i]!, acc);
  return acc;
}

/** RFC 9162 §2.1.3.1 PATH(m, D[n]) as ranges, deepest sibling first. */
export function inclusionRanges(index: number, size: number): Range[] {
  checkSize(size);
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) {
    throw new Art50Error('log.bad_range', `leaf index ${index} is not in a tree of size ${size}`, { field: 'index' });
  }
  const out: Range[] = [];
  let lo = 0;
  let hi = size;
  let m = index;
  // Walk down from the root; siblings are collected top-down and reversed at the end.
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m < k) {
      out.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      out.push({ start: lo, end: lo + k });
      lo += k;
      m -= k;
    }
  }
  return out.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) as ranges, in proof order. Empty for m = n (and m = 0). */
export function consistencyRanges(first: number, second: number): Range[] {
  checkSize(second);
  if (!Number.isSafeInteger(first) || first < 0 || first > second) {
    throw new Art50Error('log.bad_range', `first size ${first} must be between 0 and ${second}`, { field: 'first' });
  }
  if (first === 0 || first === second) return [];
  const out: Range[] = [];
  // SUBPROOF(m, D[lo:hi], b), iteratively; results appended in reverse order of the recursion.
  let lo = 0;
  let hi = second;
  let m = first;
  let b = true;
  const tail: Range[] = [];
  while (m !== hi - lo) {
    const k = splitPoint(hi - lo);
    if (m <= k) {
      tail.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      tail.push({ start: lo, end: lo + k });
      lo += k;
      m -= k;
      b = false;
    }
  }
  if (!b) out.push({ start: lo, end: hi });
  return out.concat(tail.reverse());
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new Art50Error('log.bad_range', `tree size ${size} is not a non-negative integer`, { field: 'treeSize' });
  }
}

/** Fetches the nodes of all ranges in ONE reader call and returns each range's MTH. */
export async function hashRanges(reader: NodeReader, ranges: readonly Range[]): Promise<Buffer[]> {
  const plans = ranges.map(decompose);
  const ids = plans.flat();
  if (ids.length === 0) return ranges.map(() => emptyRoot());
  const hashes = await reader.perfectNodes(ids);
  if (hashes.length !== ids.length) throw new Error(`node reader returned ${hashes.length} of ${ids.length} nodes`);
  const out: Buffer[] = [];
  let at = 0;
  for (const plan of plans) {
    out.push(foldFringe(hashes.slice(at, at + plan.length)));
    at += plan.length;
  }
  return out;
}

/** Inclusion proof (audit path) for leaf `index` in the tree of `size` leaves. */
export async function inclusionProof(reader: NodeReader, index: number, size: number): Promise<Buffer[]> {
  return hashRanges(reader, inclusionRanges(index, size));
}

/** Consistency proof between tree sizes `first` ≤ `second`. */
export async function consistencyProof(reader: NodeReader, first: number, second: number): Promise<Buffer[]> {
  return hashRanges(reader, consistencyRanges(first, second));
}

/** Root hash at `size` from the ≤ log2(n) fringe nodes. */
export async function rootAt(reader: NodeReader, size: number): Promise<Buffer> {
  checkSize(size);
  if (size === 0) return emptyRoot();
  const [root] = await hashRanges(reader, [{ start: 0, end: size }]);
  return root!;
}

// ---------------------------------------------------------------------------------------------
// Verification (RFC 9162 §2.1.3.2 and §2.1.4.2), pure and synchronous.

/** Root implied by an inclusion proof, or null if the proof has the wrong shape. */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) return null;
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
  return sn === 0 ? r : null;
}

const HASH_BYTES = 32;
const allHashes = (hs: readonly Uint8Array[]): boolean => hs.every((h) => h.length === HASH_BYTES);

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
  const computed = rootFromInclusionProof(index, size, leaf, proof);
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
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    if (sn === 0) return null;
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
  return sn === 0 ? { first: fr, second: sr } : null;
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

// ---------------------------------------------------------------------------------------------

/**
 * The compact range [0, size): one hash per set bit of size (the left fringe). Appending a leaf
 * merges equal-sized neighbours and reports every completed perfect node, which is exactly what
 * the integrator stores. Memory O(log n).
 */
export class CompactRange {
  /** fringe[level] = hash of the pending perfect node at that level, if bit `level` of size is set. */
  private readonly fringe: (Buffer | undefined)[] = [];
  private n: number;

  constructor(size = 0, fringeHashes: readonly Buffer[] = []) {
    const ids = decompose({ start: 0, end: size });
    if (ids.length !== fringeHashes.length) throw new RangeError(`size ${size} needs ${ids.length} fringe hashes, got ${fringeHashes.length}`);
    ids.forEach((id, i) => (this.fringe[id.level] = fringeHashes[i]));
    this.n = size;
  }

  /** The perfect nodes a compact range of `size` is built from, largest first. */
  static fringeIds(size: number): NodeId[] {
    return decompose({ start: 0, end: size });
  }

  get size(): number {
    return this.n;
  }

  /** Appends a leaf hash; calls `emit` for the leaf and every perfect node it completes. */
  append(leaf: Buffer, emit?: (level: number, index: number, hash: Buffer) => void): void {
    let h = leaf;
    let level = 0;
    let index = this.n;
    emit?.(0, index, h);
    while (this.fringe[level] !== undefined) {
      h = nodeHash(this.fringe[level]!, h);
      this.fringe[level] = undefined;
      level++;
      index = Math.floor(index / 2);
      emit?.(level, index, h);
    }
    this.fringe[level] = h;
    this.n++;
  }

  /** MTH of the leaves appended so far. */
  root(): Buffer {
    let acc: Buffer | undefined;
    for (let level = 0; level < this.fringe.length; level++) {
      const f = this.fringe[level];
      if (f === undefined) continue;
      acc = acc === undefined ? f : nodeHash(f, acc);
    }
    return acc ?? emptyRoot();
  }
}
