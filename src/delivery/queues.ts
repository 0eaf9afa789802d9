import { Queue } from 'bullmq';
import type { ConnectionOptions } from 'bullmq';

/**
 * What the worker needs to place a pull delivery without reading the request first: the sanction
 * handler has both at hand. Jobs without them (the reconciler's, older ones) are read for.
 */
export interface DeliveryHint {
  /** The request's digest, for the delivery.delivered entry. */
  digest: string;
  deadlineHours: number;
}

export interface DeliveryJob extends Partial<DeliveryHint> {
  requestId: string;
  bic: string;
}
/** A deadline timer as earlier versions queued it (delayed until the deadline); see deadlines.ts. */
export interface DeadlineJob {
  requestId: string;
  bic: string;
  deliveryId: string;
}

export interface QueueNames {
  prefix: string;
  /** One delivery queue per bank: a slow or hung bank only ever holds its own workers. */
  delivery(bic: string): string;
  /** The deadline timers of earlier versions (now a sorted set): only emptied. */
  legacyDeadline: string;
}

/**
 * Queue names and the BullMQ prefix. The prefix is a hash tag of its own, so on Redis Cluster the
 * queues live apart from the core keyspace ({ns}) that holds state and the log.
 */
export function queueNames(ns: string): QueueNames {
  return { prefix: `{${ns}-bull}`, delivery: (bic) => `delivery.${bic}`, legacyDeadline: 'deadline' };
}

export interface DeliveryQueues {
  /** The delivery queue of one bank (created on first use). */
  delivery(bic: string): Queue<DeliveryJob>;
  /** Every delivery queue this process has opened (the registry's banks at least). */
  deliveryQueues(): Array<Queue<DeliveryJob>>;
  /** Read and emptied by the deadline sweeper (deadlines.ts); nothing is added to it any more. */
  legacyDeadline: Queue<DeadlineJob>;
  close(): Promise<void>;
}

export function createQueues(
  connection: ConnectionOptions,
  names: QueueNames,
  push: { attempts: number; backoffMs: number },
  banks: readonly string[],
  onError: (e: Error) => void = () => undefined,
): DeliveryQueues {
  const perBank = new Map<string, Queue<DeliveryJob>>();
  const delivery = (bic: string): Queue<DeliveryJob> => {
    let q = perBank.get(bic);
    if (!q) {
      q = new Queue<DeliveryJob>(names.delivery(bic), {
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
      // Connection errors surface through readiness and failed adds; without a listener BullMQ prints each one.
      q.on('error', onError);
      perBank.set(bic, q);
    }
    return q;
  };
  for (const bic of banks) delivery(bic);
  const legacyDeadline = new Queue<DeadlineJob>(names.legacyDeadline, { connection, prefix: names.prefix });
  legacyDeadline.on('error', onError);
  return {
    delivery,
    deliveryQueues: () => [...perBank.values()],
    legacyDeadline,
    close: async () => {
      await Promise.all([...perBank.values(), legacyDeadline].map((q) => q.close()));
    },
  };
}
