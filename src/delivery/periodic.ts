/**
 * A background task run every `intervalMs`, never two runs at once: a tick that finds the last run
 * still going is skipped. A failed run is reported and the next tick tries again; the timer never
 * keeps the process alive, and stop() waits for the run in progress.
 */
export class Periodic {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(private readonly task: () => Promise<unknown>, private readonly onError: (e: Error) => void) {}

  /** `runNow`: the first run starts at once rather than after the first interval. */
  start(intervalMs: number, opts: { runNow?: boolean } = {}): void {
    const tick = (): void => {
      if (this.running) return;
      this.running = this.task()
        .catch((e: Error) => this.onError(e))
        .finally(() => {
          this.running = undefined;
        });
    };
    this.timer = setInterval(tick, intervalMs);
    this.timer.unref();
    if (opts.runNow) tick();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
