/** The demo's readable output: a timeline of who did what and how long it took, and tables. */
export interface TimelineRow {
  /** ms since the demo started */
  at: number;
  who: string;
  what: string;
  /** how long the step took */
  ms?: number;
}

export class Timeline {
  private readonly t0 = Date.now();
  readonly rows: TimelineRow[] = [];

  /** `onRow` sees every row as data (`art50 demo --json`). */
  constructor(private readonly print: (line: string) => void, private readonly onRow: (row: TimelineRow) => void = () => undefined) {}

  note(who: string, what: string, ms?: number): void {
    const row: TimelineRow = { at: Date.now() - this.t0, who, what, ...(ms !== undefined ? { ms } : {}) };
    this.rows.push(row);
    this.onRow(row);
    const took = ms !== undefined ? `  (${ms} ms)` : '';
    this.print(`${fmt(row.at).padStart(8)}  ${who.padEnd(22)} ${what}${took}`);
  }

  async step<T>(who: string, what: string, fn: () => Promise<T>, describe?: (v: T) => string): Promise<T> {
    const s = Date.now();
    const v = await fn();
    this.note(who, describe ? `${what} — ${describe(v)}` : what, Date.now() - s);
    return v;
  }
}

function fmt(ms: number): string {
  return `+${(ms / 1000).toFixed(2)}s`;
}

export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]): string => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(rows[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** "920614300911" → "9206•••••911": enough to follow the trail on screen, not to copy an identity. */
export function maskId(id: string | undefined): string {
  if (!id) return '—';
  return `${id.slice(0, 4)}•••••${id.slice(-3)}`;
}
