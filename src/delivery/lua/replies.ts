/** Typed decoders of the delivery scripts' replies; each follows the Result line of its script's header. */
import { replyArray, replyCode, replyInt } from '../../store/lua-reply';

/** deliver-8.lua: {0, deliveredIndex} delivered now | {1, deliveredIndex} already delivered | {3, 0} unknown bank or digest. */
export type DeliverReply = { kind: 'delivered' | 'already'; logIndex: number } | { kind: 'unknown' };

/** The shape deliver-8 and ack-5 share: {0, index} done now | {1, index} done before | {3, 0} refused. */
function doneOrRefused(raw: unknown, script: string, indexName: string): { code: 0 | 1; logIndex: number } | { code: 3 } {
  const [c, i] = replyArray(raw, script, 2);
  const code = replyCode(c, script, [0, 1, 3] as const);
  return code === 3 ? { code } : { code, logIndex: replyInt(i, script, indexName) };
}

export function deliverReply(raw: unknown): DeliverReply {
  const r = doneOrRefused(raw, 'deliver-8.lua', 'deliveredIndex');
  return r.code === 3 ? { kind: 'unknown' } : { kind: r.code === 0 ? 'delivered' : 'already', logIndex: r.logIndex };
}

/** ack-5.lua: {0, ackIndex} acknowledged now | {1, ackIndex} already acknowledged | {3, 0} not delivered. */
export type AckReply = { kind: 'acknowledged' | 'already'; logIndex: number } | { kind: 'not_delivered' };

export function ackReply(raw: unknown): AckReply {
  const r = doneOrRefused(raw, 'ack-5.lua', 'ackIndex');
  return r.code === 3 ? { kind: 'not_delivered' } : { kind: r.code === 0 ? 'acknowledged' : 'already', logIndex: r.logIndex };
}

/** overdue-5.lua: {0, index} overdue now | {1, 0} answered or already overdue. True when it became overdue now. */
export function overdueReply(raw: unknown): boolean {
  const [c] = replyArray(raw, 'overdue-5.lua', 1);
  return replyCode(c, 'overdue-5.lua', [0, 1] as const) === 0;
}
