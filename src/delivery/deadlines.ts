import type { Queue } from 'bullmq';
import type { Logger } from '../logger';
import { deliveryIdOf, parseDeliveryId } from '../store/keys';
import { Periodic } from './periodic';
import type { DeliveryProcessor } from './processor';
import type { DeadlineJob } from './queues';
import type { DeliveryStore } from './store';

/** How many timers one sweep takes at a time, and how many batches at most per tick. */
const BATCH = 100;
const BATCHES_PER_TICK = 20;

/**
 * The deadline clock (CPC Art. 34 part 5). The deliver script starts a delivery's timer in the same
 * transaction as the delivery: a member of the deadlines sorted set, scored by its deadline. This
 * sweep, run by every process with workers, hands each timer that ran out to the processor, which
 * marks the delivery overdue unless the bank has answered; overdue-5.lua ends the timer either way.
 * Any number of sweepers may run at once: the script acts only once.
 *
 * A sorted-set member instead of a delayed BullMQ job per delivery: no job hash, event-stream entry
 * and job completion per delivery (twice: when it is added and when it fires), and no window between
 * the delivery and the start of its clock.
 */
export class DeadlineSweeper {
  private readonly periodic = new Periodic(() => this.sweepOnce(), (e) => this.d.logger.warn('deadline sweep failed', { error: e.message }));
  private readonly migration = new Periodic(() => this.migrateLegacyJobs(), (e) => this.d.logger.warn('moving deadline jobs of an earlier version failed', { error: e.message }));

  constructor(private readonly d: {
    deliveries: DeliveryStore;
    processor: DeliveryProcessor;
    clock: () => Date;
    logger: Logger;
    /** The BullMQ queue that held the timers of earlier versions: emptied into the sorted set. */
    legacy?: Queue<DeadlineJob>;
  }) {}

  /** Marks every timer that has run out; returns how many it handled. */
  async sweepOnce(): Promise<number> {
    let handled = 0;
    for (let i = 0; i < BATCHES_PER_TICK; i++) {
      const due = await this.d.deliveries.dueDeadlines(this.d.clock().getTime(), BATCH);
      await Promise.all(due.map(async (id) => {
        const parsed = parseDeliveryId(id);
        if (parsed) await this.d.processor.deadline(parsed.requestId, parsed.bic);
        else {
          this.d.logger.error('deadline timer is not a delivery id; dropped', { item: id.slice(0, 100) });
          await this.d.deliveries.dropDeadline(id);
        }
      }));
      handled += due.length;
      if (due.length < BATCH) break;
    }
    return handled;
  }

  /**
   * Moves the delayed jobs of the `deadline` queue (versions before the sorted set) into it, each
   * with its own deadline, then removes the job: a timer set before an upgrade, or by a process not
   * yet upgraded, still runs out on time. ZADD NX first, so a crash in between loses nothing.
   */
  async migrateLegacyJobs(): Promise<number> {
    const q = this.d.legacy;
    if (!q) return 0;
    let moved = 0;
    for (;;) {
      const jobs = await q.getJobs(['delayed', 'waiting', 'prioritized', 'failed'], 0, BATCH - 1);
      if (jobs.length === 0) return moved;
      for (const job of jobs) {
        const id = job.data.deliveryId ?? deliveryIdOf(job.data.requestId, job.data.bic);
        await this.d.deliveries.startDeadline(id, job.timestamp + (job.delay ?? 0));
        await job.remove();
        moved++;
      }
      this.d.logger.info('deadline timers moved from the queue of an earlier version', { moved });
    }
  }

  start(intervalMs: number): void {
    this.periodic.start(intervalMs);
    // Once at start, then now and then for processes of an earlier version still running alongside.
    void this.migrateLegacyJobs().catch((e: Error) => this.d.logger.warn('moving deadline jobs of an earlier version failed', { error: e.message }));
    this.migration.start(60_000);
  }

  async stop(): Promise<void> {
    await Promise.all([this.periodic.stop(), this.migration.stop()]);
  }
}
