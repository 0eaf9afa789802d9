import { parentPort } from 'node:worker_threads';
import { checkEntry } from './audit';
import type { AuditBatch, AuditBatchResult } from './audit-checks';
import { createLogEntryValidator } from './entry';
import { leafHash } from './merkle/hash';

/** Audit worker: per-entry checks and leaf hashes of a batch; the tree itself is folded by the caller. */
const port = parentPort;
if (!port) throw new Error('audit-worker must run in a worker thread');
const validate = createLogEntryValidator();

port.on('message', (b: AuditBatch) => {
  const n = b.missing.length;
  const leaves = new Uint8Array(32 * n);
  let out: AuditBatchResult = { seq: b.seq, leaves };
  for (let i = 0; i < n; i++) {
    const bytes = b.missing[i] ? null : b.bytes.subarray(b.offsets[i]!, b.offsets[i + 1]!);
    const bad = checkEntry(bytes, b.start + i, validate);
    if (bad) {
      out = { seq: b.seq, leaves: leaves.slice(0, 32 * i), bad };
      break;
    }
    leaves.set(leafHash(bytes!), 32 * i);
  }
  port.postMessage(out, [out.leaves.buffer as ArrayBuffer]);
});
