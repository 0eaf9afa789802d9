import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Art50Error } from '../errors';
import type { RequestDoc, StatementDoc } from '../documents/types';
import type { WorkerReady, WorkerReply, WorkerRequest } from './worker-protocol';

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

/** A worker that has not said it is ready after this long is replaced (its calls get http.busy). */
const STARTUP_TIMEOUT_MS = 30_000;

/** The compiled worker: statement parsing runs the built JavaScript (`npm run build`). */
export const WORKER_FILE = join(__dirname, '..', '..', 'dist', 'statements', 'worker-main.js');

export interface StatementPoolOptions {
  /** Worker threads (ART50_STATEMENT_WORKERS). */
  size?: number;
  /** Time one call may keep a worker busy before the worker is terminated and replaced (ART50_STATEMENT_JOB_TIMEOUT_MS). */
  jobTimeoutMs?: number;
  /** Statements that may wait for a free worker; past that, http.busy (ART50_STATEMENT_QUEUE). */
  maxQueued?: number;
  /** The worker script (tests use their own). */
  file?: string;
  /** Signing-time allowance the workers apply (ART50_CLOCK_SKEW_SECONDS). */
  clockSkewSeconds?: number;
}

type Done = (r: WorkerReply) => void;

interface Slot {
  worker: Worker;
  pending: Map<number, { done: Done; timer: NodeJS.Timeout | undefined; budgetMs: number; onTimeout: () => void }>;
  /** Set when the worker said it is ready: until then its start-up does not count against a document's budget. */
  ready: boolean;
  /** Parsing a statement ('open'); `against` calls do not make a worker busy. */
  busy: boolean;
  dead: boolean;
}

interface Waiting {
  msg: Extract<WorkerRequest, { op: 'open' }>;
  transfer: ArrayBuffer[];
  /** With the worker that parsed it (the document stays there). */
  done: (r: WorkerReply, slot: Slot | undefined) => void;
}

/**
 * A small pool of statement workers. Each worker parses one statement at a time; statements wait
 * in a bounded queue for a free worker (past the bound: 503 http.busy with Retry-After). Each call
 * has a time budget: a worker still busy past it is terminated and replaced, the document that
 * took the time is refused (document.too_costly), other calls it held get http.busy (retry).
 * Each parsed document stays on its worker until released; calls are matched to replies by id.
 */
export class StatementWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Waiting[] = [];
  private nextId = 1;
  private closed = false;
  private readonly size: number;
  private readonly jobTimeoutMs: number;
  private readonly maxQueued: number;
  private readonly file: string;

  private readonly workerData: { clockSkewSeconds?: number };

  constructor(opts: StatementPoolOptions = {}) {
    this.size = Math.max(1, opts.size ?? 1);
    this.jobTimeoutMs = opts.jobTimeoutMs ?? 30_000;
    this.maxQueued = Math.max(0, opts.maxQueued ?? 8);
    this.file = opts.file ?? WORKER_FILE;
    this.workerData = opts.clockSkewSeconds !== undefined ? { clockSkewSeconds: opts.clockSkewSeconds } : {};
    if (!existsSync(this.file)) throw new Error(`statement worker ${this.file} is missing: run npm run build`);
  }

  /** Statements waiting for a free worker (for tests and metrics). */
  get waiting(): number {
    return this.queue.length;
  }

  private idleSlot(): Slot | undefined {
    const idle = this.slots.find((s) => !s.busy && !s.dead);
    if (idle) return idle;
    if (this.slots.length < this.size) {
      const s = this.spawn();
      this.slots.push(s);
      return s;
    }
    return undefined;
  }

  private spawn(): Slot {
    const worker = new Worker(this.file, { workerData: this.workerData });
    const slot: Slot = { worker, pending: new Map(), ready: false, busy: false, dead: false };
    worker.unref();
    const startup = setTimeout(() => this.retire(slot, 'the statement worker did not start'), STARTUP_TIMEOUT_MS);
    startup.unref();
    worker.on('message', (r: WorkerReply | WorkerReady) => {
      if ('ready' in r) {
        clearTimeout(startup);
        slot.ready = true;
        for (const p of slot.pending.values()) this.arm(p);
        return;
      }
      const p = slot.pending.get(r.id);
      if (!p) return;
      slot.pending.delete(r.id);
      clearTimeout(p.timer);
      p.done(r);
    });
    // A crashed worker fails what it held with 503 (retry), never a 500 or a request left hanging.
    worker.on('error', (e) => this.retire(slot, `statement worker failed: ${e.message}`));
    worker.on('exit', (code) => this.retire(slot, `statement worker exited (${code})`));
    return slot;
  }

  /** Takes a worker out of the pool, failing what it held with http.busy; the queue moves on to a new one. */
  private retire(slot: Slot, why: string, except?: number): void {
    if (slot.dead) return;
    slot.dead = true;
    for (const [id, p] of slot.pending) {
      clearTimeout(p.timer);
      if (id !== except) p.done({ id, ok: false, error: { code: 'http.busy', detail: `${why}; please retry` } });
    }
    slot.pending.clear();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    void slot.worker.terminate().catch(() => undefined);
    this.pump();
  }

  private call(slot: Slot, msg: WorkerRequest & { id: number }, transfer: ArrayBuffer[], budgetMs: number, done: Done): void {
    if (slot.dead) {
      done({ id: msg.id, ok: false, error: { code: 'http.busy', detail: 'the statement worker was restarted; please retry' } });
      return;
    }
    const onTimeout = (): void => {
      const detail = `verifying and parsing the statement took longer than ${budgetMs} ms; the statement worker was replaced`;
      // Retired first, so the queue does not start the next statement on the worker being terminated.
      this.retire(slot, 'the statement worker was replaced after another document exceeded its time budget', msg.id);
      done({ id: msg.id, ok: false, error: { code: 'document.too_costly', detail } });
    };
    const entry = {
      done: (r: WorkerReply) => {
        if (slot.pending.size === 0) slot.worker.unref();
        done(r);
      },
      timer: undefined,
      budgetMs,
      onTimeout,
    };
    slot.pending.set(msg.id, entry);
    if (slot.ready) this.arm(entry);
    slot.worker.ref();
    slot.worker.postMessage(msg, transfer);
  }

  /** Starts the budget of a call (once its worker is ready). */
  private arm(p: { timer: NodeJS.Timeout | undefined; budgetMs: number; onTimeout: () => void }): void {
    if (p.timer) return;
    p.timer = setTimeout(p.onTimeout, p.budgetMs);
    p.timer.unref();
  }

  /** Starts waiting statements on free workers. */
  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      const slot = this.idleSlot();
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, job: Waiting): void {
    slot.busy = true;
    this.call(slot, job.msg, job.transfer, this.jobTimeoutMs, (r) => {
      slot.busy = false;
      job.done(r, slot);
      this.pump();
    });
  }

  async open(der: Buffer): Promise<ParsedStatement> {
    if (this.closed) throw new Art50Error('http.busy', 'the gateway is shutting down');
    const id = this.nextId++;
    const { r, owner } = await new Promise<{ r: WorkerReply; owner: Slot | undefined }>((resolve) => {
      // A copy is transferred: the caller keeps `der` (it is stored as received).
      const copy = new Uint8Array(der);
      const job: Waiting = { msg: { op: 'open', id, der: copy }, transfer: [copy.buffer as ArrayBuffer], done: (reply, slot) => resolve({ r: reply, owner: slot }) };
      const free = this.idleSlot();
      if (free) this.start(free, job);
      else if (this.queue.length < this.maxQueued) this.queue.push(job);
      else job.done({ id, ok: false, error: { code: 'http.busy', detail: `${this.queue.length} large statements are waiting for a statement worker; please retry` } }, undefined);
    });
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
        const a = await new Promise<WorkerReply>((done) => {
          if (!owner || owner.dead) {
            done({ id, ok: false, error: { code: 'http.busy', detail: 'the statement worker was restarted; please retry' } });
            return;
          }
          // It may wait behind one statement being parsed on the same worker: twice the budget.
          this.call(owner, { op: 'against', id, request }, [], 2 * this.jobTimeoutMs, done);
        });
        if (!a.ok) throw fromWorker(a.error);
      },
      release: () => {
        if (released) return;
        released = true;
        if (owner && !owner.dead) owner.worker.postMessage({ op: 'release', id } satisfies WorkerRequest);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.done({ id: job.msg.id, ok: false, error: { code: 'http.busy', detail: 'the gateway is shutting down' } }, undefined);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }
}

function fromWorker(e: { code?: Art50Error['code']; detail: string; field?: string }): Error {
  if (e.code) return new Art50Error(e.code, e.detail, e.field ? { field: e.field } : {});
  return new Error(e.detail);
}
