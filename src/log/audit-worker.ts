import { parentPort } from 'node:worker_threads';
import { checkEntry } from './audit';
import type { AuditBatch, AuditBatchResult } from './audit-checks';
import { createLogEntryValidator } from './entry';
import { HASH_SIZE, nodeHash, prefixedLeafHash } from './merkle/hash';

/**
 * Audit worker: per-entry checks and leaf hashes of a batch, and, for a whole aligned batch, the
 * perfect subtree over its leaves, so the caller's sequential fold costs one step per batch.
 */
const port = parentPort;
if (!port) throw new Error('audit-worker must run in a worker thread');
const validate = createLogEntryValidator();

port.on('message', (b: AuditBatch) => {
  const n = b.missing.length;
  const leaves = new Uint8Array(HASH_SIZE * n);
  let out: AuditBatchResult = { seq: b.seq, leaves };
  for (let i = 0; i < n; i++) {
    // Record i is 0x00 ‖ entry: the entry is checked without its prefix and hashed with it, in place.
    const bytes = b.missing[i] ? null : b.bytes.subarray(b.offsets[i]! + 1, b.offsets[i + 1]!);
    const bad = checkEntry(bytes, b.start + i, validate);
    if (bad) {
      out = { seq: b.seq, leaves: leaves.slice(0, HASH_SIZE * i), bad };
      break;
    }
    leaves.set(prefixedLeafHash(b.bytes.subarray(b.offsets[i]!, b.offsets[i + 1]!)), HASH_SIZE * i);
  }
  if (!out.bad && n > 0 && (n & (n - 1)) === 0 && b.start % n === 0) out.subtree = subtreeOf(leaves, n);
  const transfer = [out.leaves.buffer as ArrayBuffer, ...(out.subtree ? [out.subtree.buffer as ArrayBuffer] : [])];
  port.postMessage(out, transfer);
});

/** Root of the perfect tree over n (a power of two) leaf hashes, folded pairwise in one scratch copy. */
function subtreeOf(leaves: Uint8Array, n: number): Uint8Array {
  const level = leaves.slice();
  for (let width = n; width > 1; width >>= 1) {
    for (let j = 0; j < width; j += 2) {
      const h = nodeHash(level.subarray(HASH_SIZE * j, HASH_SIZE * (j + 1)), level.subarray(HASH_SIZE * (j + 1), HASH_SIZE * (j + 2)));
      level.set(h, HASH_SIZE * (j >> 1));
    }
  }
  return level.slice(0, HASH_SIZE);
}
