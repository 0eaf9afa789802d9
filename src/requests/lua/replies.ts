/** Typed decoders of the request scripts' replies; each follows the Result line of its script's header. */
import { replyArray, replyCode, replyInt } from '../../store/lua-reply';
import type { RequestState } from '../types';

/** A bulk string reply (called with .buffer: a Buffer) as text; absent is ''. */
const text = (v: unknown): string => (v === undefined || v === null ? '' : String(v instanceof Buffer ? v.toString() : v));
/** A receipt: '' means none sealed yet. */
const receiptOf = (v: unknown): Buffer | null => (Buffer.isBuffer(v) ? (v.length > 0 ? Buffer.from(v) : null) : typeof v === 'string' && v.length > 0 ? Buffer.from(v) : null);

/**
 * intake-6.lua: {code, logIndex, receipt, state, receivedAt}: 0 stored (receipt ''), 1 the same
 * request again (its stored receipt, '' if not sealed yet), 2 same id with other content.
 */
export type IntakeReply =
  | { kind: 'stored' | 'replay'; logIndex: number; receipt: Buffer | null; state: RequestState; receivedAt: string }
  | { kind: 'conflict' };

export function intakeReply(raw: unknown): IntakeReply {
  const r = replyArray(raw, 'intake-6.lua', 1);
  const code = replyCode(r[0], 'intake-6.lua', [0, 1, 2] as const);
  if (code === 2) return { kind: 'conflict' };
  return { kind: code === 0 ? 'stored' : 'replay', logIndex: replyInt(r[1], 'intake-6.lua', 'logIndex'), receipt: receiptOf(r[2]), state: text(r[3]) as RequestState, receivedAt: text(r[4]) };
}

/**
 * sanction-8.lua: {code, logIndex, receipt, state}: 0 decided (receipt ''), 1 the same sanction
 * again (its stored receipt or ''), 2 already decided by another sanction, 3 no such request,
 * 4 requestDigest does not match.
 */
export type SanctionReply =
  | { kind: 'decided' | 'replay'; logIndex: number; receipt: Buffer | null; state: RequestState }
  | { kind: 'already_decided'; state: string }
  | { kind: 'not_found' }
  | { kind: 'digest_mismatch' };

export function sanctionReply(raw: unknown): SanctionReply {
  const r = replyArray(raw, 'sanction-8.lua', 1);
  switch (replyCode(r[0], 'sanction-8.lua', [0, 1, 2, 3, 4] as const)) {
    case 0: return { kind: 'decided', logIndex: replyInt(r[1], 'sanction-8.lua', 'logIndex'), receipt: null, state: text(r[3]) as RequestState };
    case 1: return { kind: 'replay', logIndex: replyInt(r[1], 'sanction-8.lua', 'logIndex'), receipt: receiptOf(r[2]), state: text(r[3]) as RequestState };
    case 2: return { kind: 'already_decided', state: text(r[3]) };
    case 3: return { kind: 'not_found' };
    case 4: return { kind: 'digest_mismatch' };
  }
}

/** rekey-1.lua: 1 replaced | 0 the value changed meanwhile (left alone). True when replaced. */
export function rekeyReply(raw: unknown): boolean {
  return replyInt(raw, 'rekey-1.lua', 'result') === 1;
}
