import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Art50Error } from '../errors';
import type { RequestDoc, StatementDoc } from '../documents/types';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

export interface ParsedStatement {
  digest: string;
  signer: Buffer;
  certificates: Buffer[];
  signingTime: Date;
  /** The statement without its accounts (they stay in the worker). */
  header: StatementDoc;
  againstRequest(request: RequestDoc): Promise<void>;
  release(): void;
}

/** The compiled worker: statement parsing runs the built JavaScript (`npm run build`). */
export const WORKER_FILE = join(__dirname, '..', '..', 'dist', 'statements', 'worker-main.js');

interface Slot {
  worker: Worker;
  pending: Map<number, (r: WorkerReply) => void>;
  dead: boolean;
}

/**
 * A small pool of statement workers. Each document stays on the worker that parsed it; calls are
 * matched to replies by id. A worker that dies fails its pending calls and is replaced.
 */
export class StatementWorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 1;
  private turn = 0;
  private closed = false;

  constructor(private readonly size = 1, private readonly file = WORKER_FILE) {
    if (!existsSync(file)) throw new Error(`statement worker ${file} is missing: run npm run build`);
  }

  private slot(): Slot {
    if (this.slots.length < this.size) {
      const s = this.spawn();
      this.slots.push(s);
      return s;
    }
    this.turn = (this.turn + 1) % this.slots.length;
    return this.slots[this.turn]!;
  }

  private spawn(): Slot {
    const worker = new Worker(this.file);
    const slot: Slot = { worker, pending: new Map(), dead: false };
    worker.unref();
    worker.on('message', (r: WorkerReply) => {
      const done = slot.pending.get(r.id);
      slot.pending.delete(r.id);
      done?.(r);
    });
    // A crashed worker fails what it held with 503 (retry), never a 500 or a request left hanging.
    const fail = (why: string): void => {
      slot.dead = true;
      for (const [id, done] of slot.pending) done({ id, ok: false, error: { code: 'http.busy', detail: `${why}; please retry` } });
      slot.pending.clear();
      const i = this.slots.indexOf(slot);
      if (i >= 0) this.slots.splice(i, 1);
    };
    worker.on('error', (e) => fail(`statement worker failed: ${e.message}`));
    worker.on('exit', (code) => fail(`statement worker exited (${code})`));
    return slot;
  }

  private call(slot: Slot, msg: WorkerRequest, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (slot.dead) return Promise.resolve({ id: msg.id, ok: false, error: { code: 'http.busy', detail: 'the statement worker was restarted; please retry' } });
    return new Promise((resolve) => {
      slot.pending.set(msg.id, resolve);
      slot.worker.ref();
      slot.worker.postMessage(msg, transfer);
    }).finally(() => {
      if (slot.pending.size === 0) slot.worker.unref();
    }) as Promise<WorkerReply>;
  }

  async open(der: Buffer): Promise<ParsedStatement> {
    if (this.closed) throw new Art50Error('http.busy', 'the gateway is shutting down');
    const slot = this.slot();
    const id = this.nextId++;
    // A copy is transferred: the caller keeps `der` (it is stored as received).
    const copy = new Uint8Array(der);
    const r = await this.call(slot, { op: 'open', id, der: copy }, [copy.buffer as ArrayBuffer]);
    if (!r.ok) throw fromWorker(r.error);
    if (r.op !== 'open') throw new Error('statement worker: unexpected reply');
    let released = false;
    return {
      digest: r.digest,
      signer: Buffer.from(r.signer),
      certificates: r.certificates.map((c) => Buffer.from(c)),
      signingTime: new Date(r.signingTime),
      header: r.header,
      againstRequest: async (request) => {
        const a = await this.call(slot, { op: 'against', id, request });
        if (!a.ok) throw fromWorker(a.error);
      },
      release: () => {
        if (released) return;
        released = true;
        slot.worker.postMessage({ op: 'release', id } satisfies WorkerRequest);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

function fromWorker(e: { code?: Art50Error['code']; detail: string; field?: string }): Error {
  if (e.code) return new Art50Error(e.code, e.detail, e.field ? { field: e.field } : {});
  return new Error(e.detail);
}
