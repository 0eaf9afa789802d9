export type RequestState = 'awaiting_sanction' | 'sanctioned' | 'rejected' | 'in_progress' | 'completed';
export type BankState = 'queued' | 'delivered' | 'acknowledged' | 'answered' | 'refused_by_bank' | 'failed' | 'overdue';

/** Per-bank delivery state of one request, as stored (JSON in the request's banks hash). */
export interface BankDelivery {
  state: BankState;
  deliveryId: string;
  queuedIndex?: number;
  deliveredAt?: string;
  deadline?: string;
  acknowledgedAt?: string;
  answeredAt?: string;
  statementId?: string;
  /** The current statement's result: found, not_found, or refused (state refused_by_bank). */
  result?: 'found' | 'not_found' | 'refused';
  wasOverdue?: boolean;
  via?: 'inbox' | 'push';
}

/** The stored view of a request (Redis hash), without the CMS bytes. */
export interface StoredRequest {
  requestId: string;
  digest: string;
  state: RequestState;
  bodyBin: string;
  erdrNumber: string;
  article: string;
  region: string;
  deadlineHours: number;
  banks: 'all' | string[];
  createdAt: string;
  receivedAt: string;
  receivedIndex: number;
  signerFingerprint: string;
  scope: string;
  sanctionDigest?: string;
  sanctionIndex?: number;
  decision?: 'granted' | 'refused';
  decisionReason?: string;
  decidedAt?: string;
  officeBin?: string;
}

export interface ReceiptRef {
  event: string;
  logIndex: number;
  /** base64 DER of the sealed receipt. */
  receipt: string;
  /** The bank (BIC) of a delivery receipt. */
  bank?: string;
}

export interface RequestStatus {
  requestId: string;
  digest: string;
  state: RequestState;
  receivedAt: string;
  decision?: { decision: 'granted' | 'refused'; reason?: string; decidedAt?: string };
  banks: BankStatus[];
  receipts: ReceiptRef[];
  /**
   * base64 DER of the request CMS exactly as signed, only when asked for (`?include=request`) and
   * only for the requesting body and its supervising prosecutor offices: the document names the
   * individual, which auditors (who read the state) do not need.
   */
  request?: string;
}

/** One bank's part of a request, as GET /v1/requests/{id} shows it. */
export interface BankStatus {
  bic: string;
  state: BankState;
  deliveryId: string;
  deliveredAt?: string;
  deadline?: string;
  acknowledgedAt?: string;
  answeredAt?: string;
  /** The current statement's result (refused: state refused_by_bank). */
  result?: 'found' | 'not_found' | 'refused';
  statementId?: string;
  overdue: boolean;
}
