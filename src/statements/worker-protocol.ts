import type { ErrorCode } from '../errors';
import type { RequestDoc, StatementDoc } from '../documents/types';

/** Messages between the event loop and the statement worker (structured clone; DER is transferred). */
export type WorkerRequest =
  | { op: 'open'; id: number; der: Uint8Array }
  | { op: 'against'; id: number; request: RequestDoc }
  | { op: 'release'; id: number };

export interface WorkerError {
  code?: ErrorCode;
  detail: string;
  field?: string;
}

export type WorkerReply =
  | { id: number; ok: true; op: 'open'; digest: string; signer: Uint8Array; certificates: Uint8Array[]; signingTime: number; header: StatementDoc }
  | { id: number; ok: true; op: 'against' }
  | { id: number; ok: false; error: WorkerError };

/** Sent once by a worker when it is ready for documents (schemas compiled): time budgets start from here. */
export interface WorkerReady {
  ready: true;
}
