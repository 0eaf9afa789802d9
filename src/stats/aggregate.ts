import type { LogEntry } from '../log/entry';
import { monthOf, MonthlyCounter, MonthlyRow } from './monthly';
import { percentiles, Percentiles } from './percentiles';
import type { BankStats, Stats, StatsScope, StatsSnapshot } from './types';
// The legal maximum (CPC Art. 34 part 5): the deadline of delivery entries recorded before they carried one.
import { MAX_DEADLINE_HOURS } from '../requests/intake';

export { percentiles };
export type { MonthlyRow, Percentiles };
export type { BankStats, OverdueItem, Stats, StatsScope, StatsSnapshot } from './types';

interface Open {
  deliveredAt?: number;
  /** The deadline the delivery.delivered entry carries, or deliveredAt + 72 deadline hours for entries without one. */
  deadline?: number;
  overdueAt?: number;
}

/** Counters of one body's requests, or of the whole log: every figure of a snapshot but the overdue list and form 1-M. */
interface Fold {
  entries: number;
  requests: Stats['requests'];
  byArticle: Record<string, number>;
  byRegion: Record<string, number>;
  byBody: Record<string, number>;
  refusalsByCode: Record<string, number>;
  /** overdueNow, answeredInTimeShare and responseTime are filled in when a snapshot is built. */
  byBank: Record<string, BankStats>;
  responseMs: Map<string, number[]>;
}

/**
 * Statistics folded from the log itself (no second bookkeeping): feed entries in index order.
 * This is the breakdown asked for the prosecutors' statistical form 1-M: by article, region,
 * body and month, bank, outcome and response time. Folding is O(1) per entry. Every entry that
 * belongs to a request is folded twice: into the national figures and into those of the request's
 * body, so that a prosecutor's view can be summed from the supervised bodies alone — a national
 * total next to the office's own share would give the other bodies' figures away by subtraction.
 * Entries that name no request (a request refused before it was read) count only nationally.
 * Snapshots are cached until the next entry, so reading the statistics costs nothing per call.
 */
export class StatsAggregator {
  private readonly national = newFold();
  private readonly perBody = new Map<string, Fold>();
  /** Deliveries not answered yet, by `${requestId}.${bank}`. */
  private readonly open = new Map<string, Open>();
  private readonly bodyOf = new Map<string, string>();
  private readonly monthly = new MonthlyCounter();
  private readonly cached = new Map<string, StatsSnapshot>();
  private readonly defaultDeadlineMs: number;

  /** `deadlineHourMs`: the length of a deadline hour (shortened only in tests and the demo), for entries without a deadline. */
  constructor(opts: { deadlineHourMs?: number } = {}) {
    this.defaultDeadlineMs = MAX_DEADLINE_HOURS * (opts.deadlineHourMs ?? 3_600_000);
  }

  add(e: LogEntry): void {
    this.cached.clear();
    if (e.event === 'request.received' && e.requestId && e.body) this.bodyOf.set(e.requestId, e.body);
    const body = e.body ?? (e.requestId !== undefined ? this.bodyOf.get(e.requestId) : undefined);
    const folds = body === undefined ? [this.national] : [this.national, this.foldOf(body)];
    const key = `${e.requestId}.${e.bank}`;
    const t = Date.parse(e.time);
    for (const f of folds) f.entries++;
    switch (e.event) {
      case 'request.received':
        for (const f of folds) {
          f.requests.received++;
          inc(f.byArticle, e.article);
          inc(f.byRegion, e.region);
          inc(f.byBody, e.body);
        }
        this.monthly.add(monthOf(t), e.region ?? 'unknown', e.article ?? 'unknown', e.body ?? 'unknown');
        break;
      case 'request.refused':
        for (const f of folds) {
          f.requests.refused++;
          inc(f.refusalsByCode, e.code);
        }
        break;
      case 'statement.refused':
        for (const f of folds) {
          inc(f.refusalsByCode, e.code);
          if (e.bank) inc(bankOf(f, e.bank).refusalsByReason, e.code ?? 'unknown');
        }
        break;
      case 'sanction.granted':
        for (const f of folds) f.requests.granted++;
        break;
      case 'sanction.refused':
        for (const f of folds) f.requests.sanctionRefused++;
        break;
      case 'delivery.delivered': {
        for (const f of folds) bankOf(f, e.bank).delivered++;
        const carried = e.deadline !== undefined ? Date.parse(e.deadline) : NaN;
        this.open.set(key, { deliveredAt: t, deadline: Number.isNaN(carried) ? t + this.defaultDeadlineMs : carried });
        break;
      }
      case 'delivery.acknowledged':
        for (const f of folds) bankOf(f, e.bank).acknowledged++;
        break;
      case 'delivery.overdue': {
        for (const f of folds) bankOf(f, e.bank).overdueEvents++;
        // Only an open delivery turns overdue: a mark logged after the answer does not reopen it.
        const o = this.open.get(key);
        if (o) o.overdueAt ??= t;
        break;
      }
      case 'statement.received':
        this.answer(e, folds, key, t);
        break;
      default:
        break;
    }
  }

  private foldOf(body: string): Fold {
    let f = this.perBody.get(body);
    if (!f) {
      f = newFold();
      this.perBody.set(body, f);
    }
    return f;
  }

  private answer(e: LogEntry, folds: Fold[], key: string, t: number): void {
    const o = this.open.get(key);
    this.open.delete(key);
    // In time means by the delivery's deadline, whatever the deadline sweep did: it may run late, and
    // an answer after the deadline but before the overdue entry is still late. An overdue entry
    // before the answer makes it late even if the clocks of the two processes disagree.
    const inTime = o?.deadline !== undefined && t <= o.deadline && (o.overdueAt === undefined || o.overdueAt > t);
    for (const f of folds) {
      const b = bankOf(f, e.bank);
      // Entries before results were logged count as answers of unknown result.
      if (e.result === 'refused') {
        b.refusedStatements++;
        inc(b.refusalsByReason, 'refused_by_bank');
      } else if (e.result === 'found') b.found++;
      else if (e.result === 'not_found') b.notFound++;
      if (o?.deliveredAt !== undefined) {
        b.answered++;
        if (inTime) b.answeredInTime++;
        const bic = e.bank ?? 'unknown';
        const list = f.responseMs.get(bic) ?? [];
        list.push(t - o.deliveredAt);
        f.responseMs.set(bic, list);
      }
    }
  }

  /**
   * The statistics as of the last entry added, of the whole log or of the given bodies' requests
   * only (cached until the next entry: callers must not modify it).
   */
  snapshot(scope: StatsScope = 'national'): StatsSnapshot {
    const k = scope === 'national' ? 'national' : `bodies:${[...scope].sort().join(',')}`;
    let s = this.cached.get(k);
    if (!s) {
      s = this.build(scope);
      this.cached.set(k, s);
    }
    return s;
  }

  private build(scope: StatsScope): StatsSnapshot {
    const fold = scope === 'national' ? this.national : merged([...scope].flatMap((b) => this.perBody.get(b) ?? []));
    const { responseMs, ...counters } = fold;
    const out = structuredClone(counters) as StatsSnapshot;
    const overdue: StatsSnapshot['overdue'] = [];
    for (const [key, o] of this.open) {
      if (o.overdueAt === undefined) continue;
      const dot = key.lastIndexOf('.');
      const requestId = key.slice(0, dot);
      const bic = key.slice(dot + 1);
      const body = this.bodyOf.get(requestId);
      if (scope !== 'national' && (body === undefined || !scope.has(body))) continue;
      const b = out.byBank[bic];
      if (b) b.overdueNow++;
      overdue.push({
        requestId, bank: bic, ...(body ? { body } : {}),
        ...(o.deliveredAt !== undefined ? { deliveredAt: new Date(o.deliveredAt).toISOString() } : {}),
        overdueSince: new Date(o.overdueAt).toISOString(),
      });
    }
    overdue.sort((a, b) => (a.deliveredAt ?? a.overdueSince).localeCompare(b.deliveredAt ?? b.overdueSince));
    for (const [bic, list] of responseMs) {
      const b = out.byBank[bic];
      if (b) b.responseTime = percentiles(list);
    }
    for (const b of Object.values(out.byBank)) {
      const decided = b.answered + b.overdueNow;
      b.answeredInTimeShare = decided === 0 ? null : b.answeredInTime / decided;
    }
    const rows = this.monthly.rows();
    out.monthly = scope === 'national' ? rows : rows.filter((r) => scope.has(r.body));
    out.overdue = overdue;
    return out;
  }
}

function newFold(): Fold {
  return {
    entries: 0,
    requests: { received: 0, refused: 0, granted: 0, sanctionRefused: 0 },
    byArticle: {}, byRegion: {}, byBody: {}, refusalsByCode: {}, byBank: {},
    responseMs: new Map(),
  };
}

function newBank(): BankStats {
  return {
    delivered: 0, acknowledged: 0, answered: 0, answeredInTime: 0, answeredInTimeShare: null, found: 0, notFound: 0,
    refusedStatements: 0, refusalsByReason: {}, overdueEvents: 0, overdueNow: 0, responseTime: percentiles([]),
  };
}

function bankOf(f: Fold, bic: string | undefined): BankStats {
  const k = bic ?? 'unknown';
  let b = f.byBank[k];
  if (!b) {
    b = newBank();
    f.byBank[k] = b;
  }
  return b;
}

/** The sum of some bodies' folds (their requests are disjoint, so every count simply adds up). */
function merged(folds: Fold[]): Fold {
  const out = newFold();
  for (const f of folds) {
    out.entries += f.entries;
    out.requests.received += f.requests.received;
    out.requests.refused += f.requests.refused;
    out.requests.granted += f.requests.granted;
    out.requests.sanctionRefused += f.requests.sanctionRefused;
    addAll(out.byArticle, f.byArticle);
    addAll(out.byRegion, f.byRegion);
    addAll(out.byBody, f.byBody);
    addAll(out.refusalsByCode, f.refusalsByCode);
    for (const [bic, b] of Object.entries(f.byBank)) {
      const o = bankOf(out, bic);
      o.delivered += b.delivered;
      o.acknowledged += b.acknowledged;
      o.answered += b.answered;
      o.answeredInTime += b.answeredInTime;
      o.found += b.found;
      o.notFound += b.notFound;
      o.refusedStatements += b.refusedStatements;
      o.overdueEvents += b.overdueEvents;
      addAll(o.refusalsByReason, b.refusalsByReason);
    }
    for (const [bic, list] of f.responseMs) out.responseMs.set(bic, [...(out.responseMs.get(bic) ?? []), ...list]);
  }
  return out;
}

function addAll(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, n] of Object.entries(from)) into[k] = (into[k] ?? 0) + n;
}

/** The snapshot with each overdue delivery's age at `now`. */
export function withAges(s: StatsSnapshot, now: number): Stats {
  return { ...s, overdue: s.overdue.map((o) => ({ ...o, ageMs: now - Date.parse(o.deliveredAt ?? o.overdueSince) })) };
}

function inc(o: Record<string, number>, k: string | undefined): void {
  if (k !== undefined) o[k] = (o[k] ?? 0) + 1;
}
