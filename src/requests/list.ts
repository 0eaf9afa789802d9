import { Art50Error } from '../errors';
import type { Participant } from '../participants/types';
import type { BodyCursor, RequestStore } from './store';
import type { RequestDoc } from '../documents/types';
import type { BankState, RequestState } from './types';

/** One request in its body's list (GET /v1/requests): enough to show it, without receipts or documents. */
export interface RequestSummary {
  requestId: string;
  digest: string;
  state: RequestState;
  receivedAt: string;
  erdrNumber: string;
  article: string;
  deadlineHours: number;
  /** The scope as the request states it (dates and what is asked; no personal data). */
  scope: RequestDoc['scope'];
  /** The banks the request names ("all" or BICs); `banks` has their states once sanctioned. */
  addressed: 'all' | string[];
  decision?: { decision: 'granted' | 'refused'; reason?: string; decidedAt?: string };
  banks: Array<{ bic: string; state: BankState; deadline?: string; answeredAt?: string; result?: 'found' | 'not_found' | 'refused'; statementId?: string; overdue: boolean }>;
}

export interface RequestPage {
  items: RequestSummary[];
  /** Present when there may be more: pass it as `cursor` for the next page. */
  nextCursor?: string;
}

const CURSOR = /^([0-9]{1,16})_([0-9a-f-]{36})$/;

/** The cursor is the last item's receipt time and id: stable while new requests arrive on top. */
export function encodeCursor(c: BodyCursor): string {
  return `${c.receivedMs}_${c.requestId}`;
}

export function decodeCursor(raw: unknown): BodyCursor | undefined {
  if (raw === undefined) return undefined;
  const m = typeof raw === 'string' ? CURSOR.exec(raw) : null;
  if (!m) throw new Art50Error('http.bad_request', 'query parameter cursor must be a nextCursor value from a previous page', { field: 'cursor' });
  return { receivedMs: Number(m[1]), requestId: m[2]! };
}

/**
 * GET /v1/requests: the calling police body's requests, newest first, each with its state per
 * bank. Only the caller's own body: the index is kept per body by the intake script.
 */
export async function requestsOfBody(deps: { store: RequestStore }, caller: Participant, limit: number, after?: BodyCursor): Promise<RequestPage> {
  const bodyBin = caller.organisation.bin;
  const page = await deps.store.ofBody(bodyBin, limit + 1, after);
  const shown = page.slice(0, limit);
  const items = await Promise.all(shown.map(async ({ requestId }) => {
    const { request: r, banks } = await deps.store.withBanks(requestId);
    if (!r || r.bodyBin !== bodyBin) return undefined;
    const item: RequestSummary = {
      requestId, digest: r.digest, state: r.state, receivedAt: r.receivedAt, erdrNumber: r.erdrNumber, article: r.article,
      deadlineHours: r.deadlineHours, scope: JSON.parse(r.scope) as RequestDoc['scope'], addressed: r.banks,
      banks: Object.entries(banks).sort(([a], [b]) => a.localeCompare(b)).map(([bic, d]) => ({
        bic,
        state: d.state,
        ...(d.deadline ? { deadline: d.deadline } : {}),
        ...(d.answeredAt ? { answeredAt: d.answeredAt } : {}),
        ...(d.result ? { result: d.result } : {}),
        ...(d.statementId ? { statementId: d.statementId } : {}),
        overdue: d.state === 'overdue' || d.wasOverdue === true,
      })),
    };
    if (r.decision) item.decision = { decision: r.decision, ...(r.decisionReason ? { reason: r.decisionReason } : {}), ...(r.decidedAt ? { decidedAt: r.decidedAt } : {}) };
    return item;
  }));
  const last = shown.at(-1);
  return {
    items: items.filter((i): i is RequestSummary => i !== undefined),
    ...(page.length > limit && last ? { nextCursor: encodeCursor(last) } : {}),
  };
}
