/** One line of form 1-M: requests received in a month by one body, for one article, in one region. */
export interface MonthlyRow {
  /** YYYY-MM in Almaty time (UTC+5), the calendar the form is kept in. */
  month: string;
  region: string;
  article: string;
  body: string;
  requests: number;
}

const ALMATY_OFFSET_MS = 5 * 3_600_000;

/** Kazakhstan keeps one zone, UTC+5, with no daylight saving: a fixed offset is exact. */
export function monthOf(timeMs: number): string {
  return new Date(timeMs + ALMATY_OFFSET_MS).toISOString().slice(0, 7);
}

/** Counts per (month, region, article, body); rows come out sorted by those four. */
export class MonthlyCounter {
  private readonly counts = new Map<string, MonthlyRow>();

  add(month: string, region: string, article: string, body: string): void {
    const k = `${month}\u0000${region}\u0000${article}\u0000${body}`;
    const row = this.counts.get(k);
    if (row) row.requests++;
    else this.counts.set(k, { month, region, article, body, requests: 1 });
  }

  rows(): MonthlyRow[] {
    return [...this.counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, r]) => ({ ...r }));
  }
}
