/** The shapes of the statistics (GET /v1/stats), apart from the fold that computes them (aggregate.ts). */
import type { MonthlyRow } from './monthly';
import type { Percentiles } from './percentiles';

/** A delivery past its deadline and still unanswered, as the log tells it. */
export interface OverdueItem {
  requestId: string;
  bank: string;
  /** BIN of the requesting body (from the request's request.received entry), if the log has it. */
  body?: string;
  deliveredAt?: string;
  /** Time of the delivery.overdue entry. */
  overdueSince: string;
  /** Now minus deliveredAt (or overdueSince), at the time of the answer (ms). */
  ageMs: number;
}

export interface BankStats {
  delivered: number;
  acknowledged: number;
  /** Statements answering a delivery (found, not found or refused). */
  answered: number;
  /** Answers that came by the delivery's deadline (≤ 72 h from delivery), whether or not the deadline sweep has marked it yet. */
  answeredInTime: number;
  /** answeredInTime / (answered + overdueNow): the share of decided deliveries answered in time; null when none. */
  answeredInTimeShare: number | null;
  found: number;
  notFound: number;
  /** Statements in which the bank refused to answer (result "refused"). */
  refusedStatements: number;
  /**
   * Refusals by reason: `refused_by_bank` (result "refused"; the bank's own words stay in the
   * statement) and the error codes of this bank's statements the gateway refused (statement.refused).
   */
  refusalsByReason: Record<string, number>;
  overdueEvents: number;
  /** Deliveries whose deadline passed and which are still unanswered. */
  overdueNow: number;
  responseTime: Percentiles;
}

export interface Stats {
  entries: number;
  requests: { received: number; refused: number; granted: number; sanctionRefused: number };
  byArticle: Record<string, number>;
  byRegion: Record<string, number>;
  byBody: Record<string, number>;
  refusalsByCode: Record<string, number>;
  byBank: Record<string, BankStats>;
  /** Requests received per month (Almaty time) by region, article and body: form 1-M. */
  monthly: MonthlyRow[];
  /** Every delivery overdue now, oldest delivery first. */
  overdue: OverdueItem[];
}

/** What a snapshot holds before the time-dependent ages are filled in. */
export type StatsSnapshot = Omit<Stats, 'overdue'> & { overdue: Array<Omit<OverdueItem, 'ageMs'>> };

/** Which requests a snapshot counts: all of them, or only those of the given requesting bodies (BINs). */
export type StatsScope = 'national' | ReadonlySet<string>;
