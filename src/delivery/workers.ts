import { Worker } from 'bullmq';
import type { ConnectionOptions, Job } from 'bullmq';
import type { Logger } from '../logger';
import type { DeliveryProcessor } from './processor';
import type { DeliveryJob, QueueNames } from './queues';

export interface RunningWorkers {
  /** Lets in-flight jobs finish; `force` closes at once (their jobs are retried as stalled). */
  close(force?: boolean): Promise<void>;
}

/**
 * BullMQ workers: one per bank's delivery queue, each with its own `concurrency` slots, so hung
 * pushes to one bank never hold a slot another bank's delivery needs. (Deadlines are not jobs: see
 * deadlines.ts.)
 */
export function startWorkers(opts: {
  connection: ConnectionOptions;
  names: QueueNames;
  banks: readonly string[];
  processor: DeliveryProcessor;
  concurrency: number;
  logger: Logger;
  stalledIntervalMs?: number;
}): RunningWorkers {
  // A killed worker's lock lapses after lockDuration; the next stalled check (every stalledInterval)
  // then takes the job over, so a takeover comes after up to twice this value.
  const stalled = opts.stalledIntervalMs ?? 30_000;
  const common = { connection: opts.connection, prefix: opts.names.prefix, stalledInterval: stalled, lockDuration: stalled };
  const deliveries = opts.banks.map((bic) => new Worker<DeliveryJob>(opts.names.delivery(bic), (job) => opts.processor.deliver(job), { ...common, concurrency: opts.concurrency }));
  for (const w of deliveries) {
    w.on('failed', (job, err) => opts.logger.warn('job failed', { queue: w.name, jobId: job?.id, attempt: job?.attemptsMade, error: err.message }));
    w.on('error', (err) => opts.logger.error('worker error', { queue: w.name, error: err.message }));
  }
  // A delivery job that failed for good (attempts spent, or an error on its last attempt) falls
  // back to the inbox at once; the reconciler does the same for failures this process never saw.
  const fallBack = async (job: Job<DeliveryJob> | undefined): Promise<void> => {
    if (!job || (await job.getState()) !== 'failed') return;
    await opts.processor.fallback(job.data.requestId, job.data.bic, Math.max(1, job.attemptsMade), job.failedReason ?? 'job failed');
  };
  for (const w of deliveries) {
    w.on('failed', (job) => {
      fallBack(job).catch((e: Error) => opts.logger.warn('inbox fallback after a failed job did not complete; the reconciler will retry', { jobId: job?.id, error: e.message }));
    });
  }
  return {
    close: async (force = false) => {
      await Promise.all(deliveries.map((w) => w.close(force)));
    },
  };
}
