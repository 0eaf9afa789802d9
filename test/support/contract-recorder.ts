import os from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { Contract, Exchange, Verdict } from './contract';

/**
 * Validates every response a test gateway sends against docs/openapi.yaml, whatever client the
 * test uses (supertest, the ApiClient, a CLI child process). The recorder sits between Node's
 * HTTPS server and the Express app, copies what goes on the wire, and checks it when the response
 * has finished. Mismatches are kept until the test's afterEach (contract-setup.ts) fails the test.
 */

/** Binary bodies (statements: tens of MB) are kept only up to this size; their schema is `type: string` anyway. */
const KEEP_BINARY_BYTES = 64 * 1024;

interface WorkerState {
  contract?: Contract;
  violations: string[];
  /** operation → the statuses of its responses so far, in order, for the coverage check of the contract test. */
  seen: Map<string, number[]>;
}

/**
 * One state per jest worker process, not per test file: jest gives every test file a fresh module
 * registry (so a module-level cache would compile the spec again for each file), but Node's core
 * modules are shared by all files of a worker.
 */
const KEY = Symbol.for('art50.test.contract');
function state(): WorkerState {
  const holder = os as unknown as Record<symbol, WorkerState | undefined>;
  let s = holder[KEY];
  if (!s) {
    s = { violations: [], seen: new Map() };
    Object.defineProperty(holder, KEY, { value: s, enumerable: false });
  }
  return s;
}

export function contract(): Contract {
  const s = state();
  s.contract ??= Contract.fromFile();
  return s.contract;
}

export function record(ex: Exchange): Verdict {
  const s = state();
  let verdict: Verdict;
  try {
    verdict = contract().check(ex);
  } catch (e) {
    verdict = { operation: 'unrouted', errors: [`${ex.method} ${ex.url}: the contract check failed: ${(e as Error).message}`] };
  }
  const statuses = s.seen.get(verdict.operation) ?? [];
  statuses.push(ex.status);
  s.seen.set(verdict.operation, statuses);
  s.violations.push(...verdict.errors);
  return verdict;
}

/** Checks a request the gateway sent to a participant (a push to a bank) against the spec's `webhooks`. */
export function recordWebhook(name: string, req: { method: string; headers: Record<string, string | string[] | undefined>; body: Buffer }): string[] {
  const errors = contract().checkWebhook(name, req);
  state().violations.push(...errors);
  return errors;
}

/** Mismatches found since the last call (and forgets them). */
export function takeViolations(): string[] {
  const s = state();
  return s.violations.splice(0);
}

/** A copy of the statuses answered per operation since the worker started. */
export function seenOperations(): Map<string, number[]> {
  return new Map([...state().seen].map(([op, statuses]) => [op, [...statuses]]));
}

/**
 * Puts the recorder in front of the app that `server` serves: a request listener that runs first
 * and only wraps the response's writeHead/write/end (whatever listeners the gateway has, it keeps).
 */
export function recordResponses(server: Server): void {
  server.prependListener('request', observe);
}

function observe(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let length = 0;
  let keep: boolean | undefined;
  const take = (chunk: unknown, encoding: unknown): void => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
    length += buf.length;
    keep ??= !/^application\/pkcs7|^application\/octet-stream/.test(String(res.getHeader('content-type') ?? ''));
    if (keep || length <= KEEP_BINARY_BYTES) chunks.push(buf);
  };
  // Status and headers as they went on the wire: a handler that finishes after another part has
  // already answered (e.g. the store deadline's 503) may still set res.statusCode afterwards.
  let head: { status: number; headers: Exchange['headers'] } | undefined;
  const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => ServerResponse;
  res.writeHead = ((...a: unknown[]) => {
    const out = writeHead(...a);
    const extra = a.find((x, i) => i > 0 && typeof x === 'object' && x !== null && !Array.isArray(x)) as Record<string, string> | undefined;
    const headers: Exchange['headers'] = { ...(res.getHeaders() as Exchange['headers']) };
    for (const [k, v] of Object.entries(extra ?? {})) headers[k.toLowerCase()] = v;
    head ??= { status: Number(a[0]), headers };
    return out;
  }) as ServerResponse['writeHead'];
  const write = res.write.bind(res) as (...a: unknown[]) => boolean;
  const end = res.end.bind(res) as (...a: unknown[]) => ServerResponse;
  res.write = ((...a: unknown[]) => {
    take(a[0], a[1]);
    return write(...a);
  }) as ServerResponse['write'];
  res.end = ((...a: unknown[]) => {
    take(a[0], a[1]);
    return end(...a);
  }) as ServerResponse['end'];
  res.once('finish', () => {
    const body = keep === false && length > KEEP_BINARY_BYTES ? undefined : Buffer.concat(chunks);
    record({ method: req.method ?? 'GET', url: req.url ?? '/', status: head?.status ?? res.statusCode, headers: head?.headers ?? (res.getHeaders() as Exchange['headers']), body, bodyLength: length });
  });
}
