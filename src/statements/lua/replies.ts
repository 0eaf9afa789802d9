/** Typed decoders of the statement scripts' replies; each follows the Result line of its script's header. */
import { replyArray, replyCode, replyInt } from '../../store/lua-reply';

/**
 * statement-9.lua: {0, index, 'stored'|'corrected'} accepted now | {1, index} the same statement
 * again | {2, 0} conflict | {3, 0} no delivery to answer | {4, 0} `corrects` is not the current answer.
 */
export type StatementReply =
  | { kind: 'stored' | 'corrected' | 'replay'; logIndex: number }
  | { kind: 'conflict' }
  | { kind: 'no_delivery' }
  | { kind: 'bad_correction' };

export function statementReply(raw: unknown): StatementReply {
  const [c, i, kind] = replyArray(raw, 'statement-9.lua', 2);
  switch (replyCode(c, 'statement-9.lua', [0, 1, 2, 3, 4] as const)) {
    case 0: return { kind: kind === 'corrected' ? 'corrected' : 'stored', logIndex: replyInt(i, 'statement-9.lua', 'index') };
    case 1: return { kind: 'replay', logIndex: replyInt(i, 'statement-9.lua', 'index') };
    case 2: return { kind: 'conflict' };
    case 4: return { kind: 'bad_correction' };
    case 3: return { kind: 'no_delivery' };
  }
}

/**
 * download-2.lua: {0, 0} no such statement | {1, firstDownloadAt ms} payload available | {2,
 * expiresAt ms} payload deleted (past retention) | {3, 0} sweep: not yet due.
 */
export type DownloadReply =
  | { code: 'not_found' }
  | { code: 'available'; firstDownloadAt: number }
  | { code: 'expired'; expiresAt: number }
  | { code: 'not_due' };

export function downloadReply(raw: unknown): DownloadReply {
  const [c, ms] = replyArray(raw, 'download-2.lua', 2);
  switch (replyCode(c, 'download-2.lua', [0, 1, 2, 3] as const)) {
    case 0: return { code: 'not_found' };
    case 1: return { code: 'available', firstDownloadAt: replyInt(ms, 'download-2.lua', 'firstDownloadAt') };
    case 2: return { code: 'expired', expiresAt: replyInt(ms, 'download-2.lua', 'expiresAt') };
    case 3: return { code: 'not_due' };
  }
}
