import { Art50Error } from '../errors';
import type { Participant, Role } from '../participants/types';
import type { Registry } from '../participants/registry';
import { canSeeRequest } from './access';
import type { RequestStore } from './store';
import type { BankDelivery, ReceiptRef, RequestStatus, StoredRequest } from './types';

export type DeliveryReceiptReader = (deliveryIds: string[]) => Promise<Array<ReceiptRef | null>>;

/** GET /v1/requests/{id}: state per bank, deadlines and receipts, for those allowed to see it. */
export class RequestStatusReader {
  constructor(private readonly deps: { store: RequestStore; registry: Registry; deliveryReceipts: DeliveryReceiptReader }) {}

  async status(requestId: string, viewer: Participant, opts: { includeRequest?: boolean } = {}): Promise<RequestStatus> {
    const { request, banks } = await this.deps.store.withBanks(requestId);
    if (!request || !canSeeRequest(viewer, request, this.deps.registry)) {
      throw new Art50Error('request.not_found', `no request ${requestId} visible to this client`);
    }
    const receipts = await this.receipts(request, banks);
    const out: RequestStatus = {
      requestId,
      digest: request.digest,
      state: request.state,
      receivedAt: request.receivedAt,
      banks: Object.entries(banks)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([bic, d]) => ({
          bic,
          state: d.state,
          deliveryId: d.deliveryId,
          ...(d.deliveredAt ? { deliveredAt: d.deliveredAt } : {}),
          ...(d.deadline ? { deadline: d.deadline } : {}),
          ...(d.acknowledgedAt ? { acknowledgedAt: d.acknowledgedAt } : {}),
          ...(d.answeredAt ? { answeredAt: d.answeredAt } : {}),
          ...(d.result ? { result: d.result } : {}),
          ...(d.statementId ? { statementId: d.statementId } : {}),
          overdue: d.state === 'overdue' || d.wasOverdue === true,
        })),
      receipts,
    };
    if (request.decision) {
      out.decision = { decision: request.decision, ...(request.decisionReason ? { reason: request.decisionReason } : {}), ...(request.decidedAt ? { decidedAt: request.decidedAt } : {}) };
    }
    if (opts.includeRequest && this.mayReadDocument(viewer, request)) {
      const { request: cms } = await this.deps.store.getCms(requestId);
      if (cms) out.request = cms.toString('base64');
    }
    return out;
  }

  /**
   * The document itself (it names the individual): the body's investigators and heads, who signed
   * it, and the prosecutors of the offices that supervise the body, who sanction it — by role, not
   * by organisation alone: an auditor or another role registered in those organisations gets the
   * state only.
   */
  private mayReadDocument(viewer: Participant, request: StoredRequest): boolean {
    const has = (...roles: Role[]): boolean => roles.some((r) => viewer.roles.includes(r));
    if (viewer.organisation.bin === request.bodyBin) return has('investigator', 'first_head', 'head');
    return viewer.organisation.kind === 'prosecutor_office' && has('prosecutor') && this.deps.registry.supervises(viewer.organisation.bin, request.bodyBin);
  }

  private async receipts(request: StoredRequest, banks: Record<string, BankDelivery>): Promise<ReceiptRef[]> {
    const out: ReceiptRef[] = [];
    const r = await this.deps.store.getReceipt(request.requestId, 'receipt');
    if (r) out.push({ event: 'request.received', logIndex: request.receivedIndex, receipt: r.toString('base64') });
    const s = await this.deps.store.getReceipt(request.requestId, 'sanctionReceipt');
    if (s && request.sanctionIndex !== undefined) {
      out.push({ event: request.decision === 'refused' ? 'sanction.refused' : 'sanction.granted', logIndex: request.sanctionIndex, receipt: s.toString('base64') });
    }
    const ids = Object.values(banks).map((b) => b.deliveryId);
    for (const d of await this.deps.deliveryReceipts(ids)) if (d) out.push(d);
    return out;
  }
}

/** What a prosecutor's lists show of every request: which one, from which body, for which case. */
export interface RequestHeadline {
  requestId: string;
  digest: string;
  bodyBin: string;
  erdrNumber: string;
  article: string;
  receivedAt: string;
}

/** One request awaiting a sanction, as GET /v1/sanctions/pending lists it. */
export interface PendingView extends RequestHeadline {
  /** base64 DER of the request CMS. */
  request: string;
}

/** GET /v1/sanctions/pending for a prosecutor: requests of the bodies the office supervises. */
export async function pendingForProsecutor(
  deps: { store: RequestStore; registry: Registry },
  prosecutor: Participant,
  limit: number,
): Promise<PendingView[]> {
  const reg = deps.registry;
  const bodies = reg.file.organisations.filter((o) => o.kind === 'police' && reg.supervises(prosecutor.organisation.bin, o.bin)).map((o) => o.bin);
  const ids = await deps.store.pending(bodies, limit);
  const out: PendingView[] = [];
  for (const id of ids) {
    const r = await deps.store.get(id);
    const { request } = await deps.store.getCms(id);
    if (!r || !request || r.state !== 'awaiting_sanction') continue;
    out.push({ requestId: id, digest: r.digest, bodyBin: r.bodyBin, erdrNumber: r.erdrNumber, article: r.article, receivedAt: r.receivedAt, request: request.toString('base64') });
  }
  return out;
}

/** One sanction an office issued, as GET /v1/sanctions/decided lists it. */
export interface DecisionView extends RequestHeadline {
  state: string;
  decision: 'granted' | 'refused';
  reason?: string;
  decidedAt: string;
}

/** GET /v1/sanctions/decided: the sanctions the calling prosecutor's office issued, newest first. */
export async function decisionsOfOffice(deps: { store: RequestStore }, prosecutor: Participant, limit: number): Promise<DecisionView[]> {
  const ids = await deps.store.decided(prosecutor.organisation.bin, limit);
  const out: DecisionView[] = [];
  for (const id of ids) {
    const r = await deps.store.get(id);
    if (!r || (r.decision !== 'granted' && r.decision !== 'refused') || r.officeBin !== prosecutor.organisation.bin) continue;
    out.push({
      requestId: id, digest: r.digest, bodyBin: r.bodyBin, erdrNumber: r.erdrNumber, article: r.article, receivedAt: r.receivedAt,
      state: r.state, decision: r.decision, ...(r.decisionReason ? { reason: r.decisionReason } : {}), decidedAt: r.decidedAt ?? '',
    });
  }
  return out;
}
