import { emptyRoot, nodeHash } from './hash';
import { NodeId, decompose } from './proof-plan';

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

  /**
   * Appends the hash of a perfect subtree of 2^level leaves at once (an audit worker folded them);
   * the same as appending those leaves one by one. Needs size to be a multiple of 2^level.
   */
  appendSubtree(level: number, hash: Buffer): void {
    const width = 2 ** level;
    if (this.n % width !== 0) throw new RangeError(`a subtree of ${width} leaves cannot start at ${this.n}`);
    let h = hash;
    let l = level;
    while (this.fringe[l] !== undefined) {
      h = nodeHash(this.fringe[l]!, h);
      this.fringe[l] = undefined;
      l++;
    }
    this.fringe[l] = h;
    this.n += width;
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
