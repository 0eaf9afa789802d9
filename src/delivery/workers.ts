import { Worker } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';
import type { Logger } from '../logger';
import type { DeliveryProcessor } from './processor';
import type { DeadlineJob, DeliveryJob, QueueNames } from './queues';

export interface RunningWorkers {
  /** Lets in-flight jobs finish; `force` closes at once (their jobs are retried as stalled). */
  close(force?: boolean): Promise<void>;
}

/** BullMQ workers for deliveries and deadlines; close() lets in-flight jobs finish. */
export function startWorkers(opts: {
  connection: ConnectionOptions;
  names: QueueNames;
  processor: DeliveryProcessor;
  concurrency: number;
  logger: Logger;
  stalledIntervalMs?: number;
}): RunningWorkers {
  // A killed worker's job is taken over once its lock lapses; the live worker renews it at half-time.
  const stalled = opts.stalledIntervalMs ?? 30_000;
  const common = { connection: opts.connection, prefix: opts.names.prefix, stalledInterval: stalled, lockDuration: stalled };
  const delivery = new Worker<DeliveryJob>(opts.names.delivery, (job) => opts.processor.deliver(job), { ...common, concurrency: opts.concurrency });
  const deadline = new Worker<DeadlineJob>(opts.names.deadline, (job) => opts.processor.deadline(job), { ...common, concurrency: Math.max(1, Math.ceil(opts.concurrency / 4)) });
  for (const w of [delivery, deadline]) {
    w.on('failed', (job, err) => opts.logger.warn('job failed', { queue: w.name, jobId: job?.id, attempt: job?.attemptsMade, error: err.message }));
    w.on('error', (err) => opts.logger.error('worker error', { queue: w.name, error: err.message }));
  }
  return {
    close: async (force = false) => {
      await Promise.all([delivery.close(force), deadline.close(force)]);
    },
  };
}
