/**
 * RFC 9162 §2.1.1 hashing: leaf and interior node hashes with their domain-separation prefixes,
 * the empty-tree root, and a reference MTH for tests and offline tools.
 */
import * as nodeCrypto from 'node:crypto';
import { createHash } from 'node:crypto';

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

/**
 * The 65 input bytes of a node hash, reused: hashing is synchronous, so one buffer per thread
 * serves every call (an audit makes one node hash per entry; allocating each showed up as GC).
 */
const nodeInput = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeInput[0] = 0x01;

/** SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (oneShot && left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeInput.set(left, 1);
    nodeInput.set(right, 1 + HASH_SIZE);
    return oneShot('sha256', nodeInput, 'buffer');
  }
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** SHA-256 of a record that already starts with the 0x00 leaf prefix (audit batches lay it down). */
export function prefixedLeafHash(record: Uint8Array): Buffer {
  if (oneShot) return oneShot('sha256', record, 'buffer');
  return createHash('sha256').update(record).digest();
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
