import type { LogEntry } from '../log/entry';
import { monthOf, MonthlyCounter, MonthlyRow } from './monthly';
import { percentiles, Percentiles } from './percentiles';

export { percentiles };
export type { MonthlyRow, Percentiles };

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
  /** Answers that came before the delivery was marked overdue (within its deadline, ≤ 72 h). */
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

interface Open {
  deliveredAt?: number;
  overdueAt?: number;
}

/**
 * Statistics folded from the log itself (no second bookkeeping): feed entries in index order.
 * This is the breakdown asked for the prosecutors' statistical form 1-M: by article, region,
 * body and month, bank, outcome and response time. Folding is O(1) per entry; a snapshot is
 * cached until the next entry, so reading the statistics costs nothing per call.
 */
export class StatsAggregator {
  private readonly s: Omit<Stats, 'monthly' | 'overdue'> = {
    entries: 0,
    requests: { received: 0, refused: 0, granted: 0, sanctionRefused: 0 },
    byArticle: {}, byRegion: {}, byBody: {}, refusalsByCode: {}, byBank: {},
  };
  /** Deliveries not answered yet, by `${requestId}.${bank}`. */
  private readonly open = new Map<string, Open>();
  private readonly responseMs = new Map<string, number[]>();
  private readonly bodyOf = new Map<string, string>();
  private readonly monthly = new MonthlyCounter();
  private cached: StatsSnapshot | undefined;

  add(e: LogEntry): void {
    this.cached = undefined;
    const s = this.s;
    s.entries++;
    const key = `${e.requestId}.${e.bank}`;
    const t = Date.parse(e.time);
    switch (e.event) {
      case 'request.received':
        s.requests.received++;
        inc(s.byArticle, e.article);
        inc(s.byRegion, e.region);
        inc(s.byBody, e.body);
        if (e.requestId && e.body) this.bodyOf.set(e.requestId, e.body);
        this.monthly.add(monthOf(t), e.region ?? 'unknown', e.article ?? 'unknown', e.body ?? 'unknown');
        break;
      case 'request.refused':
        s.requests.refused++;
        inc(s.refusalsByCode, e.code);
        break;
      case 'statement.refused':
        inc(s.refusalsByCode, e.code);
        if (e.bank) inc(this.bank(e.bank).refusalsByReason, e.code ?? 'unknown');
        break;
      case 'sanction.granted':
        s.requests.granted++;
        break;
      case 'sanction.refused':
        s.requests.sanctionRefused++;
        break;
      case 'delivery.delivered':
        this.bank(e.bank).delivered++;
        this.open.set(key, { deliveredAt: t });
        break;
      case 'delivery.acknowledged':
        this.bank(e.bank).acknowledged++;
        break;
      case 'delivery.overdue': {
        this.bank(e.bank).overdueEvents++;
        const o = this.open.get(key) ?? {};
        o.overdueAt ??= t;
        this.open.set(key, o);
        break;
      }
      case 'statement.received':
        this.answer(e, key, t);
        break;
      default:
        break;
    }
  }

  private answer(e: LogEntry, key: string, t: number): void {
    const b = this.bank(e.bank);
    // Entries before results were logged count as answers of unknown result.
    if (e.result === 'refused') {
      b.refusedStatements++;
      inc(b.refusalsByReason, 'refused_by_bank');
    } else if (e.result === 'found') b.found++;
    else if (e.result === 'not_found') b.notFound++;
    const o = this.open.get(key);
    if (o?.deliveredAt !== undefined) {
      b.answered++;
      if (o.overdueAt === undefined) b.answeredInTime++;
      const bic = e.bank ?? 'unknown';
      const list = this.responseMs.get(bic) ?? [];
      list.push(t - o.deliveredAt);
      this.responseMs.set(bic, list);
    }
    this.open.delete(key);
  }

  private bank(bic: string | undefined): BankStats {
    const k = bic ?? 'unknown';
    let b = this.s.byBank[k];
    if (!b) {
      b = {
        delivered: 0, acknowledged: 0, answered: 0, answeredInTime: 0, answeredInTimeShare: null, found: 0, notFound: 0,
        refusedStatements: 0, refusalsByReason: {}, overdueEvents: 0, overdueNow: 0, responseTime: percentiles([]),
      };
      this.s.byBank[k] = b;
    }
    return b;
  }

  /** The statistics as of the last entry added (cached: callers must not modify it). */
  snapshot(): StatsSnapshot {
    this.cached ??= this.build();
    return this.cached;
  }

  private build(): StatsSnapshot {
    const out = structuredClone(this.s) as StatsSnapshot;
    const overdue: StatsSnapshot['overdue'] = [];
    for (const [key, o] of this.open) {
      if (o.overdueAt === undefined) continue;
      const dot = key.lastIndexOf('.');
      const requestId = key.slice(0, dot);
      const bic = key.slice(dot + 1);
      const b = out.byBank[bic];
      if (b) b.overdueNow++;
      const body = this.bodyOf.get(requestId);
      overdue.push({
        requestId, bank: bic, ...(body ? { body } : {}),
        ...(o.deliveredAt !== undefined ? { deliveredAt: new Date(o.deliveredAt).toISOString() } : {}),
        overdueSince: new Date(o.overdueAt).toISOString(),
      });
    }
    overdue.sort((a, b) => (a.deliveredAt ?? a.overdueSince).localeCompare(b.deliveredAt ?? b.overdueSince));
    for (const [bic, list] of this.responseMs) {
      const b = out.byBank[bic];
      if (b) b.responseTime = percentiles(list);
    }
    for (const b of Object.values(out.byBank)) {
      const decided = b.answered + b.overdueNow;
      b.answeredInTimeShare = decided === 0 ? null : b.answeredInTime / decided;
    }
    out.monthly = this.monthly.rows();
    out.overdue = overdue;
    return out;
  }
}

/** The snapshot with each overdue delivery's age at `now`. */
export function withAges(s: StatsSnapshot, now: number): Stats {
  return { ...s, overdue: s.overdue.map((o) => ({ ...o, ageMs: now - Date.parse(o.deliveredAt ?? o.overdueSince) })) };
}

function inc(o: Record<string, number>, k: string | undefined): void {
  if (k !== undefined) o[k] = (o[k] ?? 0) + 1;
}
