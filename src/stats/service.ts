import type { LogEntry } from '../log/entry';
import type { LogReader } from '../log/reader';
import { StatsAggregator, Stats, StatsScope, withAges } from './aggregate';

/**
 * Keeps a StatsAggregator up to date by reading only the log entries integrated since the last
 * call (the log is append-only, so the fold never restarts). The whole log is read once, at start
 * (`warm`) or at the first call; after that a call reads the integrated size and the few new
 * entries, and the snapshot is cached until one arrives — no scan per page load.
 */
export class StatsService {
  private readonly agg: StatsAggregator;
  private next = 0;
  private running: Promise<void> | undefined;

  /** `deadlineHourMs`: the configured deadline hour, for delivery entries that carry no deadline. */
  constructor(
    private readonly reader: LogReader,
    private readonly clock: () => Date = () => new Date(),
    deadlineHourMs?: number,
  ) {
    this.agg = new StatsAggregator(deadlineHourMs !== undefined ? { deadlineHourMs } : {});
  }

  /** Folds the log so far (call at start-up so the first page load does not pay for it). */
  warm(): Promise<void> {
    return this.catchUpOnce();
  }

  /** Entries folded so far. */
  get folded(): number {
    return this.next;
  }

  /** The statistics of the whole log, or of the given bodies' requests only. */
  async stats(scope: StatsScope = 'national'): Promise<Stats> {
    await this.catchUpOnce();
    return withAges(this.agg.snapshot(scope), this.clock().getTime());
  }

  private catchUpOnce(): Promise<void> {
    this.running ??= this.catchUp().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async catchUp(): Promise<void> {
    const size = await this.reader.integratedSize();
    for await (const bytes of this.reader.stream(this.next, size)) {
      if (bytes) this.agg.add(JSON.parse(bytes.toString('utf8')) as LogEntry);
      this.next++;
    }
  }
}
