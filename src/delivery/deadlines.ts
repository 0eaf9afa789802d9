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
/** A timer whose handling failed (Redis error, an unreadable request) is tried again this much later. */
const RETRY_MS = 60_000;

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

  /**
   * Marks every timer that has run out; returns how many it handled. A timer that fails is put
   * back RETRY_MS later, so it neither stops the others nor keeps the sweep turning on itself.
   */
  async sweepOnce(): Promise<number> {
    let handled = 0;
    for (let i = 0; i < BATCHES_PER_TICK; i++) {
      const now = this.d.clock().getTime();
      const due = await this.d.deliveries.dueDeadlines(now, BATCH);
      const outcomes = await Promise.allSettled(due.map((id) => this.fire(id)));
      for (const [i, o] of outcomes.entries()) {
        if (o.status === 'fulfilled') continue;
        const id = due[i]!;
        this.d.logger.warn('deadline timer could not be handled; tried again later', { deliveryId: id, error: o.reason instanceof Error ? o.reason.message : String(o.reason) });
        await this.d.deliveries.postponeDeadline(id, now + RETRY_MS);
      }
      handled += due.length;
      if (due.length < BATCH) break;
    }
    return handled;
  }

  private async fire(id: string): Promise<void> {
    const parsed = parseDeliveryId(id);
    // Only the deliver script and the migration write timers, always under the plain delivery id.
    if (parsed && deliveryIdOf(parsed.requestId, parsed.bic) === id) {
      await this.d.processor.deadline(parsed.requestId, parsed.bic);
      return;
    }
    this.d.logger.error('deadline timer is not a delivery id; dropped', { item: id.slice(0, 100) });
    await this.d.deliveries.dropDeadline(id);
  }

  /**
   * Starts a timer in the set for every job of the `deadline` queue (versions before the sorted
   * set), at its delivery's recorded deadline, then removes the job: a timer set before an upgrade,
   * or by a process not yet upgraded, still runs out on time. ZADD NX comes first, so a crash or a
   * second process doing the same loses nothing. A job that cannot be removed (locked by a worker of
   * the earlier version) keeps its timer in the set all the same and is tried again at the next run;
   * an `active` job whose worker died (no one takes it over now) is removable once its lock lapses.
   * Returns how many jobs it found a timer for.
   */
  async migrateLegacyJobs(): Promise<number> {
    const q = this.d.legacy;
    if (!q) return 0;
    let found = 0;
    let keptInQueue = 0;
    // Page by state: a removed job leaves its list, a kept one stays, so each list's next page
    // starts after the jobs kept in that list.
    for (const state of ['delayed', 'waiting', 'prioritized', 'active', 'failed'] as const) {
      let kept = 0;
      for (;;) {
        const jobs = await q.getJobs([state], kept, kept + BATCH - 1);
        if (jobs.length === 0) break;
        for (const job of jobs) {
          const id = job.data.deliveryId ?? deliveryIdOf(job.data.requestId, job.data.bic);
          const recorded = await this.d.deliveries.get(id);
          await this.d.deliveries.startDeadline(id, recorded ? Date.parse(recorded.deadline) : job.timestamp + (job.delay ?? 0));
          found++;
          // A failed job's reason goes to the log before the job goes: its timer runs again in the set.
          if (state === 'failed') this.d.logger.warn('deadline job of an earlier version had failed; its timer is set again', { deliveryId: id, failedReason: job.failedReason, attempts: job.attemptsMade });
          const removed = await job.remove().then(() => true, () => false);
          if (!removed) kept++;
        }
      }
      keptInQueue += kept;
    }
    if (found > keptInQueue) this.d.logger.info('deadline timers moved from the queue of an earlier version', { moved: found - keptInQueue, keptInQueue });
    return found;
  }

  start(intervalMs: number): void {
    this.periodic.start(intervalMs);
    // Now, then once a minute for processes of an earlier version still running alongside.
    this.migration.start(60_000, { runNow: true });
  }

  async stop(): Promise<void> {
    await Promise.all([this.periodic.stop(), this.migration.stop()]);
  }
}
