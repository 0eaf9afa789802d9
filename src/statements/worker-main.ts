import { parentPort, workerData } from 'node:worker_threads';
import { verifyCms } from '../cms/verify';
import { createAjv } from '../documents/ajv';
import { checkStatementAgainstRequest } from '../documents/semantics';
import type { StatementDoc } from '../documents/types';
import { parseJsonDocument } from '../documents/validators';
import { isArt50Error } from '../errors';
import { createStatementSchemaCheck, headerCheck } from './validate';
import type { WorkerError, WorkerReady, WorkerReply, WorkerRequest } from './worker-protocol';

/**
 * The statement worker: the CPU-heavy half of statement intake, for large documents. It keeps
 * each parsed document until the event loop releases it, so the accounts never cross threads.
 */
const port = parentPort;
if (!port) throw new Error('worker-main must run in a worker thread');
const schema = createStatementSchemaCheck(createAjv());
const docs = new Map<number, StatementDoc>();
/** ART50_CLOCK_SKEW_SECONDS of the gateway that started this worker. */
const skew = (workerData as { clockSkewSeconds?: number } | null)?.clockSkewSeconds;

function toError(e: unknown): WorkerError {
  if (isArt50Error(e)) return { code: e.code, detail: e.detail, ...(e.field ? { field: e.field } : {}) };
  return { detail: e instanceof Error ? e.message : String(e) };
}

port.on('message', (m: WorkerRequest) => {
  let reply: WorkerReply;
  try {
    switch (m.op) {
      case 'open': {
        const v = verifyCms(Buffer.from(m.der.buffer, m.der.byteOffset, m.der.byteLength), skew !== undefined ? { clockSkewSeconds: skew } : {});
        const doc = headerCheck(schema, parseJsonDocument(v.content, Number.MAX_SAFE_INTEGER));
        schema.movementsSync(doc);
        docs.set(m.id, doc);
        const { accounts: _accounts, ...header } = doc;
        reply = { id: m.id, ok: true, op: 'open', digest: v.digest, signer: new Uint8Array(v.signer.raw), certificates: v.certificates.map((c) => new Uint8Array(c.raw)), signingTime: v.signingTime.getTime(), header: header as StatementDoc };
        break;
      }
      case 'against': {
        const doc = docs.get(m.id);
        if (!doc) throw new Error(`no statement ${m.id} in the worker`);
        checkStatementAgainstRequest(doc, m.request);
        reply = { id: m.id, ok: true, op: 'against' };
        break;
      }
      case 'release':
        docs.delete(m.id);
        return;
    }
  } catch (e) {
    if (m.op === 'open') docs.delete(m.id);
    reply = { id: m.id, ok: false, error: toError(e) };
  }
  port.postMessage(reply);
});

port.postMessage({ ready: true } satisfies WorkerReady);
