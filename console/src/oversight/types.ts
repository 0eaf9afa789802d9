/** What the oversight page reads from the API (docs/openapi.yaml Stats, CaseTrail). */

export type T = (key: string, vars?: Record<string, string | number>) => string;

export interface Participant {
  name?: string;
  roles: string[];
  organisation: { bin: string; name: string; kind: string };
}
export interface SessionInfo { participant: Participant; csrf?: string; banks: Array<{ bic: string; name: string }> }

// The statistics' shapes are the gateway's own (src/stats/types.ts, types only), as served.
import type { BankStats, OverdueItem, Stats as GatewayStats } from '../../../src/stats/types';
import type { MonthlyRow } from '../../../src/stats/monthly';
import type { Percentiles } from '../../../src/stats/percentiles';

export type { BankStats, MonthlyRow, OverdueItem, Percentiles };
/** GET /v1/stats: the figures and whose requests they count. */
export type Stats = GatewayStats & { scope: 'national' | { bodies: string[] } };
