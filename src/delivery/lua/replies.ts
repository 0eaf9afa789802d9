/** Typed decoders of the delivery scripts' replies; each follows the Result line of its script's header. */
import { replyArray, replyCode, replyInt } from '../../store/lua-reply';

/** deliver-7.lua: {0, deliveredIndex} delivered now | {1, deliveredIndex} already delivered | {3, 0} unknown bank. */
export type DeliverReply = { kind: 'delivered' | 'already'; logIndex: number } | { kind: 'unknown' };

export function deliverReply(raw: unknown): DeliverReply {
  const [c, i] = replyArray(raw, 'deliver-7.lua', 2);
  const code = replyCode(c, 'deliver-7.lua', [0, 1, 3] as const);
  if (code === 3) return { kind: 'unknown' };
  return { kind: code === 0 ? 'delivered' : 'already', logIndex: replyInt(i, 'deliver-7.lua', 'deliveredIndex') };
}

/** ack-5.lua: {0, ackIndex} acknowledged now | {1, ackIndex} already acknowledged | {3, 0} not delivered. */
export type AckReply = { kind: 'acknowledged' | 'already'; logIndex: number } | { kind: 'not_delivered' };

export function ackReply(raw: unknown): AckReply {
  const [c, i] = replyArray(raw, 'ack-5.lua', 2);
  const code = replyCode(c, 'ack-5.lua', [0, 1, 3] as const);
  if (code === 3) return { kind: 'not_delivered' };
  return { kind: code === 0 ? 'acknowledged' : 'already', logIndex: replyInt(i, 'ack-5.lua', 'ackIndex') };
}

/** overdue-4.lua: {0, index} overdue now | {1, 0} answered or already overdue. True when it became overdue now. */
export function overdueReply(raw: unknown): boolean {
  const [c] = replyArray(raw, 'overdue-4.lua', 1);
  return replyCode(c, 'overdue-4.lua', [0, 1] as const) === 0;
}
