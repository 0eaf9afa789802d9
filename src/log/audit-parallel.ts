import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { AuditBatch, AuditBatchResult, CheckedEntry } from './audit-checks';

export const AUDIT_WORKER_FILE = join(__dirname, '..', '..', 'dist', 'log', 'audit-worker.js');

/**
 * The per-entry checks (JSON, schema, canonical form, index) and leaf hashes of an audit, spread
 * over worker threads in batches; results come back in log order. The Merkle fold stays with the
 * caller, which is the only sequential part.
 */
export async function* checkEntriesInParallel(
  entries: AsyncIterable<Uint8Array | null> | Iterable<Uint8Array | null>,
  opts: { workers: number; batch?: number; file?: string },
): AsyncGenerator<CheckedEntry> {
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
    const total = chunk.reduce((s, e) => s + (e ? e.byteLength : 0), 0);
    const bytes = new Uint8Array(total);
    const offsets = new Uint32Array(chunk.length + 1);
    const missing = new Uint8Array(chunk.length);
    let at = 0;
    chunk.forEach((e, i) => {
      offsets[i] = at;
      if (e) {
        bytes.set(e, at);
        at += e.byteLength;
      } else missing[i] = 1;
    });
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
  async function* drain(keep: number): AsyncGenerator<CheckedEntry, boolean> {
    while (inFlight.length > keep) {
      const r = await inFlight.shift()!;
      for (let i = 0; i < r.leaves.length; i += 32) yield { leaf: Buffer.from(r.leaves.buffer, r.leaves.byteOffset + i, 32) };
      if (r.bad) {
        yield { bad: r.bad };
        return false;
      }
    }
    return true;
  }
  try {
    let chunk: Array<Uint8Array | null> = [];
    for await (const e of entries) {
      chunk.push(e);
      if (chunk.length === batchSize) {
        send(chunk);
        chunk = [];
        if (!(yield* drain(workers.length * 2))) return;
      }
    }
    if (chunk.length > 0) send(chunk);
    yield* drain(0);
  } finally {
    closing = true;
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
