/**
 * Former home of trust loading, CSV and follow-the-money, now split into client/trust.ts,
 * client/csv.ts and client/follow.ts. Re-exports only, for importers not yet moved; import from the
 * modules themselves.
 */
export type { ClientTrust } from './trust';
export { clientTrust, loadClientTrust } from './trust';
export { csvField, MOVEMENT_CSV_COLUMNS, movementsCsv } from './csv';
export type { NextHop, NextHopOptions, UnfollowedTransfer } from './follow';
export { buildNextHopRequests, unfollowedTransfers } from './follow';
