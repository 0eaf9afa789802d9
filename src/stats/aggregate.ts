import type { LogEntry } from '../log/entry';

export interface Percentiles {
  count: number;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
}

export interface BankStats {
  delivered: number;
  acknowledged: number;
  /** Statements answering a delivery (found, not found or refused). */
  answered: number;
  found: number;
  notFound: number;
  /** Statements in which the bank refused to answer (result "refused"). */
  refusedStatements: number;
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
}

/**
 * Statistics folded from the log itself (no second bookkeeping): feed entries in index order.
 * This is the breakdown asked for the prosecutors' statistical form 1-M: by article, region,
 * bank, outcome and response time.
 */
export class StatsAggregator {
  private readonly s: Stats = {
    entries: 0,
    requests: { received: 0, refused: 0, granted: 0, sanctionRefused: 0 },
    byArticle: {}, byRegion: {}, byBody: {}, refusalsByCode: {}, byBank: {},
  };
  private readonly deliveredAt = new Map<string, number>();
  private readonly overdue = new Set<string>();
  private readonly responseMs = new Map<string, number[]>();

  add(e: LogEntry): void {
    const s = this.s;
    s.entries++;
    const inc = (o: Record<string, number>, k: string | undefined): void => {
      if (k !== undefined) o[k] = (o[k] ?? 0) + 1;
    };
    const key = `${e.requestId}.${e.bank}`;
    const t = Date.parse(e.time);
    switch (e.event) {
      case 'request.received':
        s.requests.received++;
        inc(s.byArticle, e.article);
        inc(s.byRegion, e.region);
        inc(s.byBody, e.body);
        break;
      case 'request.refused':
        s.requests.refused++;
        inc(s.refusalsByCode, e.code);
        break;
      case 'statement.refused':
        inc(s.refusalsByCode, e.code);
        break;
      case 'sanction.granted':
        s.requests.granted++;
        break;
      case 'sanction.refused':
        s.requests.sanctionRefused++;
        break;
      case 'delivery.delivered':
        this.bank(e.bank).delivered++;
        this.deliveredAt.set(key, t);
        break;
      case 'delivery.acknowledged':
        this.bank(e.bank).acknowledged++;
        break;
      case 'delivery.overdue':
        this.bank(e.bank).overdueEvents++;
        this.overdue.add(key);
        break;
      case 'statement.received': {
        const b = this.bank(e.bank);
        // Entries before results were logged count as answers of unknown result.
        if (e.result === 'refused') b.refusedStatements++;
        else if (e.result === 'found') b.found++;
        else if (e.result === 'not_found') b.notFound++;
        if (this.deliveredAt.has(key)) {
          b.answered++;
          const list = this.responseMs.get(e.bank ?? '') ?? [];
          list.push(t - this.deliveredAt.get(key)!);
          this.responseMs.set(e.bank ?? '', list);
          this.deliveredAt.delete(key);
        }
        this.overdue.delete(key);
        break;
      }
      default:
        break;
    }
  }

  private bank(bic: string | undefined): BankStats {
    const k = bic ?? 'unknown';
    let b = this.s.byBank[k];
    if (!b) {
      b = { delivered: 0, acknowledged: 0, answered: 0, found: 0, notFound: 0, refusedStatements: 0, overdueEvents: 0, overdueNow: 0, responseTime: { count: 0, p50Ms: null, p90Ms: null, p99Ms: null } };
      this.s.byBank[k] = b;
    }
    return b;
  }

  snapshot(): Stats {
    const out = JSON.parse(JSON.stringify(this.s)) as Stats;
    for (const key of this.overdue) {
      const bic = key.slice(key.lastIndexOf('.') + 1);
      const b = out.byBank[bic];
      if (b) b.overdueNow++;
    }
    for (const [bic, list] of this.responseMs) {
      const b = out.byBank[bic];
      if (b) b.responseTime = percentiles(list);
    }
    return out;
  }
}

export function percentiles(values: readonly number[]): Percentiles {
  if (values.length === 0) return { count: 0, p50Ms: null, p90Ms: null, p99Ms: null };
  const v = [...values].sort((a, b) => a - b);
  const at = (q: number): number => v[Math.min(v.length - 1, Math.ceil(q * v.length) - 1)]!;
  return { count: v.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99) };
}
