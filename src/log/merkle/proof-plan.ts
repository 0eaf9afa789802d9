/**
 * Proof plans (RFC 9162 §2.1.3.1 and §2.1.4.1), pure: which leaf ranges a proof needs and which
 * stored PERFECT subtrees make up each range.
 *
 * Node naming: (level, index) is the perfect subtree of 2^level leaves starting at leaf
 * index·2^level. The store keeps every complete perfect subtree (level 0 = leaf hashes).
 *
 * Every hash a proof at tree size n needs is the MTH of a range [a, b) produced by the RFC's
 * recursive split, and such a range is either perfect (stored) or ends at n (the right edge); a
 * right-edge range is the fold of the ≤ log2(n) perfect subtrees of its binary decomposition. So a
 * proof is planned first (here), its perfect nodes are fetched in ONE batch, then composed
 * (./proof.ts).
 */
import { Art50Error } from '../../errors';
import { emptyRoot, nodeHash } from './hash';

export interface NodeId {
  level: number;
  index: number;
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
  // Walk down from the root: the sibling of each subtree entered, top-down, then deepest first.
  return descend(size, index, (m, width) => width > 1, (m, k) => m < k).siblings.reverse();
}

/** RFC 9162 §2.1.4.1 PROOF(m, D[n]) as ranges, in proof order. Empty for m = n (and m = 0). */
export function consistencyRanges(first: number, second: number): Range[] {
  checkSize(second);
  if (!Number.isSafeInteger(first) || first < 0 || first > second) {
    throw new Art50Error('log.bad_range', `first size ${first} must be between 0 and ${second}`, { field: 'first' });
  }
  if (first === 0 || first === second) return [];
  // SUBPROOF(m, D[lo:hi], b), iteratively: down until the first m leaves are a whole subtree;
  // that subtree itself is in the proof unless it is D[0:m] (b still true, never went right).
  const walk = descend(second, first, (m, width) => m !== width, (m, k) => m <= k);
  return [...(walk.wentRight ? [{ start: walk.lo, end: walk.hi }] : []), ...walk.siblings.reverse()];
}

/**
 * The walk down from the root both proofs share (RFC 9162 §2.1.3.1, §2.1.4.1): while `more`, split
 * D[lo:hi] at the largest power of two below its width and enter the left subtree when `goLeft`
 * (its right neighbour is a sibling in the proof) or else the right one (the left neighbour is);
 * `m` counts leaves from `lo`. Returns the siblings top-down and the subtree where it stopped.
 */
function descend(size: number, m0: number, more: (m: number, width: number) => boolean, goLeft: (m: number, k: number) => boolean): { siblings: Range[]; lo: number; hi: number; wentRight: boolean } {
  const siblings: Range[] = [];
  let lo = 0;
  let hi = size;
  let m = m0;
  let wentRight = false;
  while (more(m, hi - lo)) {
    const k = splitPoint(hi - lo);
    if (goLeft(m, k)) {
      siblings.push({ start: lo + k, end: hi });
      hi = lo + k;
    } else {
      siblings.push({ start: lo, end: lo + k });
      lo += k;
      m -= k;
      wentRight = true;
    }
  }
  return { siblings, lo, hi, wentRight };
}

/** Throws log.bad_range unless `size` is a tree size. */
export function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) {
    throw new Art50Error('log.bad_range', `tree size ${size} is not a non-negative integer`, { field: 'treeSize' });
  }
}
