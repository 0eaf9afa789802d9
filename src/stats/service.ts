import type { LogEntry } from '../log/entry';
import type { LogReader } from '../log/reader';
import { StatsAggregator, Stats } from './aggregate';

/**
 * Keeps a StatsAggregator up to date by reading only the log entries added since the last call
 * (the log is append-only, so the fold never has to restart).
 */
export class StatsService {
  private readonly agg = new StatsAggregator();
  private next = 0;
  private running: Promise<void> | undefined;

  constructor(private readonly reader: LogReader) {}

  async stats(): Promise<Stats> {
    this.running ??= this.catchUp().finally(() => {
      this.running = undefined;
    });
    await this.running;
    return { ...this.agg.snapshot() };
  }

  private async catchUp(): Promise<void> {
    const size = await this.reader.integratedSize();
    for await (const bytes of this.reader.stream(this.next, size)) {
      if (bytes) this.agg.add(JSON.parse(bytes.toString('utf8')) as LogEntry);
      this.next++;
    }
  }
}
