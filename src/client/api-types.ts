/**
 * The answers of the art50 API, for ApiClient (api-client.ts) and its callers: the gateway's own
 * view types, the ones its routes send (and docs/openapi.yaml describes), so states, decisions and
 * results are the exact unions and a change to an answer is a type error here too.
 */
export type { RequestState, BankState, ReceiptRef, BankStatus, RequestStatus as RequestStatusView } from '../requests/types';
export type { SubmitView as SubmitResult } from '../requests/intake';
export type { SanctionView as SanctionResult } from '../requests/sanction';
/** One sanction the caller's office issued (GET /v1/sanctions/decided). */
export type { DecisionView as DecisionItem } from '../requests/status';
/** One request awaiting a sanction (GET /v1/sanctions/pending). */
export type { PendingView as PendingItem } from '../requests/status';
/** One request of the caller's body (GET /v1/requests). */
export type { RequestSummary as RequestSummaryItem } from '../requests/list';
export type { AckView as AckResult } from '../delivery/inbox';
export type { StatementPostedView as StatementPosted } from '../statements/intake';
export type { StatementListItem } from '../statements/download';
export type { StatementResult } from '../statements/store';
