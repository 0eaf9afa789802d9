import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditBatch, AuditBatchResult, CheckedBatch } from './audit-checks';

export const AUDIT_WORKER_FILE = join(__dirname, '..', '..', 'dist', 'log', 'audit-worker.js');

/**
 * The per-entry checks (JSON, schema, canonical form, index) and leaf hashes of an audit, spread
 * over worker threads in batches; results come back in log order, one CheckedBatch per batch. The
 * Merkle fold stays with the caller, which is the only sequential part; whole aligned batches
 * (the batch size is a power of two) come with their subtree, so that fold is one step per batch.
 */
export async function* checkEntriesInParallel(
  entries: AsyncIterable<Uint8Array | null> | Iterable<Uint8Array | null>,
  /** batch: entries per message, a power of two so whole batches fold in one step (default 4096). */
  opts: { workers: number; batch?: number; file?: string },
): AsyncGenerator<CheckedBatch> {
  const file = opts.file ?? AUDIT_WORKER_FILE;
  if (!existsSync(file)) throw new Error(`audit worker ${file} is missing: run npm run build`);
  const batchSize = opts.batch ?? 4096;
  const workers = Array.from({ length: Math.max(1, opts.workers) }, () => new Worker(file));
  const waiting = new Map<number, { resolve: (r: AuditBatchResult) => void; reject: (e: Error) => void }>();
  let failed: Error | undefined;
  let closing = false;
  for (const w of workers) {
    w.on('message', (r: AuditBatchResult) => {
      waiting.get(r.seq)?.resolve(r);
      waiting.delete(r.seq);
    });
    // A dead worker fails every batch still out and every later one: the audit stops with the
    // error, it never hangs.
    const die = (e: Error): void => {
      failed ??= e;
      for (const p of waiting.values()) p.reject(e);
      waiting.clear();
    };
    w.on('error', die);
    w.on('exit', (code) => {
      if (!closing) die(new Error(`audit worker exited (${code})`));
    });
  }
  const inFlight: Array<Promise<AuditBatchResult>> = [];
  let seq = 0;
  let start = 0;
  const send = (chunk: Array<Uint8Array | null>): void => {
    // One 0x00 leaf prefix before each entry (see AuditBatch.bytes).
    let total = 0;
    for (const e of chunk) total += e ? e.byteLength + 1 : 0;
    const bytes = new Uint8Array(total);
    const offsets = new Uint32Array(chunk.length + 1);
    const missing = new Uint8Array(chunk.length);
    let at = 0;
    for (let i = 0; i < chunk.length; i++) {
      const e = chunk[i];
      offsets[i] = at;
      if (e) {
        bytes[at] = 0x00;
        bytes.set(e, at + 1);
        at += e.byteLength + 1;
      } else missing[i] = 1;
    }
    offsets[chunk.length] = at;
    const msg: AuditBatch = { seq, start, bytes, offsets, missing };
    const worker = workers[seq % workers.length]!;
    const result = failed
      ? Promise.reject(failed)
      : new Promise<AuditBatchResult>((resolve, reject) => waiting.set(msg.seq, { resolve, reject }));
    result.catch(() => undefined); // awaited in order below; this only keeps an early failure from being "unhandled"
    inFlight.push(result);
    worker.postMessage(msg, [bytes.buffer, offsets.buffer, missing.buffer]);
    seq++;
    start += chunk.length;
  };
  async function* drain(keep: number): AsyncGenerator<CheckedBatch, boolean> {
    while (inFlight.length > keep) {
      const r = await inFlight.shift()!;
      yield r;
      if (r.bad) return false;
    }
    return true;
  }
  try {
    let chunk: Array<Uint8Array | null> = [];
    /** Adds an entry; true when that filled a batch, which was sent. */
    const take = (e: Uint8Array | null): boolean => {
      chunk.push(e);
      if (chunk.length < batchSize) return false;
      send(chunk);
      chunk = [];
      return true;
    };
    // An in-memory source is read without a promise per entry.
    const it: Iterable<Uint8Array | null> | AsyncIterable<Uint8Array | null> = entries;
    if (Symbol.iterator in it) {
      for (const e of it) if (take(e) && !(yield* drain(workers.length * 2))) return;
    } else {
      for await (const e of it) if (take(e) && !(yield* drain(workers.length * 2))) return;
    }
    if (chunk.length > 0) send(chunk);
    yield* drain(0);
  } finally {
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
