import { Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';

export interface DeliveryJob {
  requestId: string;
  bic: string;
}
export interface DeadlineJob {
  requestId: string;
  bic: string;
  deliveryId: string;
}

export interface QueueNames {
  prefix: string;
  delivery: string;
  deadline: string;
}

/**
 * Queue names and the BullMQ prefix. The prefix is a hash tag of its own, so on Redis Cluster the
 * queues live apart from the core keyspace ({ns}) that holds state and the log.
 */
export function queueNames(ns: string): QueueNames {
  return { prefix: `{${ns}-bull}`, delivery: 'delivery', deadline: 'deadline' };
}

export interface DeliveryQueues {
  delivery: Queue<DeliveryJob>;
  deadline: Queue<DeadlineJob>;
  close(): Promise<void>;
}

export function createQueues(
  connection: ConnectionOptions,
  names: QueueNames,
  push: { attempts: number; backoffMs: number },
  onError: (e: Error) => void = () => undefined,
): DeliveryQueues {
  const delivery = new Queue<DeliveryJob>(names.delivery, {
    connection,
    prefix: names.prefix,
    defaultJobOptions: {
      attempts: push.attempts,
      backoff: { type: 'exponential', delay: push.backoffMs },
      // Completed jobs are kept for a week so a duplicate add with the same jobId stays a no-op.
      removeOnComplete: { age: 7 * 24 * 3600 },
      removeOnFail: false,
    },
  });
  const deadline = new Queue<DeadlineJob>(names.deadline, {
    connection,
    prefix: names.prefix,
    defaultJobOptions: { attempts: 10, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: false },
  });
  // Connection errors surface through readiness and failed adds; without a listener BullMQ prints each one.
  delivery.on('error', onError);
  deadline.on('error', onError);
  return {
    delivery,
    deadline,
    close: async () => {
      await Promise.all([delivery.close(), deadline.close()]);
    },
  };
}
