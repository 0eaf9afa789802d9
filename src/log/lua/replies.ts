/** Typed decoders of the log scripts' replies; each follows the Result line of its script's header. */
import { replyInt } from '../../store/lua-reply';

/** append-2.lua: the entry's index. */
export function appendReply(raw: unknown): number {
  return replyInt(raw, 'append-2.lua', 'index');
}

/** integrate-2.lua: 1 if written, 0 if another integrator moved the size first. True when written. */
export function integrateReply(raw: unknown): boolean {
  return replyInt(raw, 'integrate-2.lua', 'result') === 1;
}

/** checkpoint-4.lua: 1 if it became the latest checkpoint, 0 if one of this size or larger exists. */
export function checkpointReply(raw: unknown): boolean {
  return replyInt(raw, 'checkpoint-4.lua', 'result') === 1;
}
