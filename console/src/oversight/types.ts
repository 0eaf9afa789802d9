/** What the oversight page reads from the API (docs/openapi.yaml Stats, CaseTrail). */

export type T = (key: string, vars?: Record<string, string | number>) => string;

export interface Participant {
  name?: string;
  roles: string[];
  organisation: { bin: string; name: string; kind: string };
}
export interface SessionInfo { participant: Participant; csrf?: string; banks: Array<{ bic: string; name: string }> }

export interface Percentiles { count: number; p50Ms: number | null; p90Ms: number | null; p99Ms: number | null }
export interface BankStats {
  delivered: number;
  acknowledged: number;
  answered: number;
  answeredInTime: number;
  answeredInTimeShare: number | null;
  found: number;
  notFound: number;
  refusedStatements: number;
  refusalsByReason: Record<string, number>;
  overdueEvents: number;
  overdueNow: number;
  responseTime: Percentiles;
}
export interface MonthlyRow { month: string; region: string; article: string; body: string; requests: number }
export interface OverdueItem { requestId: string; bank: string; body?: string; deliveredAt?: string; overdueSince: string; ageMs: number }
export interface Stats {
  entries: number;
  requests: { received: number; refused: number; granted: number; sanctionRefused: number };
  byArticle: Record<string, number>;
  byRegion: Record<string, number>;
  byBody: Record<string, number>;
  byBank: Record<string, BankStats>;
  monthly: MonthlyRow[];
  overdue: OverdueItem[];
  scope: 'national' | { bodies: string[] };
}
