import type { DecisionView, PendingView } from '../requests/status';
import type { RequestSummary } from '../requests/list';

/**
 * The answers of the art50 API as the routes send them (docs/openapi.yaml), for ApiClient
 * (api-client.ts) and its callers.
 */

export interface ReceiptRef {
  event: string;
  logIndex: number;
  /** base64 DER of the gateway-sealed receipt. */
  receipt: string;
  /** The bank (BIC) of a delivery receipt. */
  bank?: string;
}

export interface SubmitResult {
  requestId: string;
  digest: string;
  state: string;
  /** base64 DER receipt. */
  receipt: string;
  logIndex: number;
}

export interface SanctionResult {
  requestId: string;
  sanctionId: string;
  digest: string;
  decision: string;
  state: string;
  receipt: string;
  logIndex: number;
}

export interface BankStatus {
  bic: string;
  state: string;
  deliveryId: string;
  deliveredAt?: string;
  deadline?: string;
  acknowledgedAt?: string;
  answeredAt?: string;
  /** The current statement's result: found, not_found or refused. */
  result?: string;
  statementId?: string;
  overdue: boolean;
  [more: string]: unknown;
}

export interface RequestStatusView {
  requestId: string;
  digest: string;
  state: string;
  receivedAt: string;
  banks: BankStatus[];
  receipts: ReceiptRef[];
  decision?: { decision: string; reason?: string; decidedAt?: string };
  [more: string]: unknown;
}

/** One sanction the caller's office issued (GET /v1/sanctions/decided): the gateway's own view type. */
export type DecisionItem = DecisionView;

/** One request of the caller's body (GET /v1/requests): the gateway's own summary type. */
export type RequestSummaryItem = RequestSummary;

/** One request awaiting a sanction (GET /v1/sanctions/pending): the gateway's own view type. */
export type PendingItem = PendingView;

export interface AckResult {
  deliveryId: string;
  state: string;
  logIndex: number;
  first: boolean;
}

export interface StatementPosted {
  statementId: string;
  digest: string;
  /** base64 DER receipt. */
  receipt: string;
  [more: string]: unknown;
}

export interface StatementListItem {
  statementId: string;
  bank: string | { bic: string; bin?: string };
  digest: string;
  result: string;
  receivedAt: string;
  receipt: string;
  current: boolean;
  [more: string]: unknown;
}
